"""The small seed on a live MongoDB-protocol server beside SQLite: what seeding writes and what a
dashboard request costs.

For each backend, in a fresh process and a fresh database (SQLite under a temporary DATA_DIR; on
MongoDB the server MONGODB_URI names, with a database of its own that is dropped afterwards, else
a throw-away SecantusDB server started by tools/with_mongodb.py), this:

1. migrates, then runs ``seed_data --size small`` end to end (wall clock, one round, cold: the
   rollup rebuild and search re-index that follow it included);
2. counts the documents (rows) of every model afterwards: records (customers, products, sales,
   feedback), rollups (the analytics app's tables) and the rest, per seeded record;
3. requests the dashboard as an analyst with Django's test Client (in-process, no web server): the
   first request after a cache clear, then the best of 5 warm ones (wall clock), with the queries
   each sends (CaptureQueriesContext: SQL statements, or MongoDB commands).

SQLite is the floor. Targets, on the MongoDB side: seed_data --size small end to end ≤ 60 s,
≤ 1 rollup document per record, ≤ 12 queries per dashboard request. The headline is the last line;
exits 1 on a miss.

    .venv/bin/python bench/mongodb.py [--size small] [--users N --products N --sales N --feedback N]

(the count flags, as seed_data takes them, are for a quick try: the targets are for the small size).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED_TARGET_S = 60.0
ROLLUPS_PER_RECORD_TARGET = 1.0
QUERIES_TARGET = 12
WARM_ROUNDS = 5
RECORD_MODELS = ("accounts.Customer", "catalog.Product", "sales.Sale", "feedback.Feedback")
MARK = "BENCH-RESULT "


COUNT_FLAGS = ("users", "products", "sales", "feedback")


def worker(size: str, counts: dict) -> None:
    """One backend, as the environment names it; prints one JSON line prefixed with MARK."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce_analytics.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from analytics.rollups.version import kept_forget
    from core.groups import ANALYSTS

    call_command("migrate", verbosity=0)
    call_command("search_index", "--rebuild", "-f", verbosity=0)
    started = time.perf_counter()
    call_command("seed_data", size=size, verbosity=0, **{k: str(v) for k, v in counts.items() if v})
    seed_s = time.perf_counter() - started

    counts = {"records": 0, "rollups": 0, "other": 0}
    for model in apps.get_models():
        kind = ("records" if model._meta.label in RECORD_MODELS
                else "rollups" if model._meta.app_label == "analytics" else "other")
        counts[kind] += model._base_manager.count()

    user, _ = get_user_model().objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get(name=ANALYSTS))
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(user)

    def request() -> tuple[float, int]:
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            response = client.get("/")
            elapsed = (time.perf_counter() - began) * 1000
        assert response.status_code == 200, response.status_code
        return elapsed, len(queries)

    cache.clear()
    kept_forget()  # as a fresh worker, or the first request after a write, finds it
    cold_ms, cold_queries = request()
    warm = [request() for _ in range(WARM_ROUNDS)]
    print(MARK + json.dumps({
        "backend": connection.vendor, "seed_s": seed_s, **counts,
        "cold_ms": cold_ms, "warm_ms": min(ms for ms, _ in warm),
        "queries": max(cold_queries, *(n for _, n in warm)),
    }), flush=True)


def run_backend(command: list[str], env: dict) -> dict:
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARK)]
    if done.returncode or not lines:
        sys.exit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return json.loads(lines[-1][len(MARK):])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="small")
    for flag in COUNT_FLAGS:
        parser.add_argument(f"--{flag}", type=int)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    counts = {flag: getattr(args, flag) for flag in COUNT_FLAGS}
    if args.worker:
        worker(args.size, counts)
        return 0

    me = [sys.executable, str(Path(__file__).resolve()), "--worker", f"--size={args.size}",
          *(f"--{flag}={n}" for flag, n in counts.items() if n)]
    base = {**os.environ, "DEBUG": "0", "LOG_LEVEL": "WARNING"}
    base.pop("ELASTICSEARCH_URL", None)  # tantivy on both sides: what differs is the database
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-mongodb-") as data_dir:
        sqlite_env = {**base, "DATA_DIR": str(Path(data_dir) / "sqlite")}
        sqlite_env.pop("MONGODB_URI", None)
        print("SQLite: migrate, seed, dashboard...", flush=True)
        results["SQLite"] = run_backend(me, sqlite_env)
        mongo_env = {**base, "DATA_DIR": str(Path(data_dir) / "mongodb")}
        print("MongoDB: migrate, seed, dashboard (minutes)...", flush=True)
        if base.get("MONGODB_URI"):
            name = f"bench_mongodb_{uuid.uuid4().hex[:8]}"
            try:
                results["MongoDB"] = run_backend(me, {**mongo_env, "MONGODB_NAME": name})
            finally:
                from pymongo import MongoClient

                MongoClient(base["MONGODB_URI"]).drop_database(name)
        else:
            results["MongoDB"] = run_backend(
                [sys.executable, str(ROOT / "tools" / "with_mongodb.py"), "--", *me], mongo_env,
            )

    print(f"{'':10s} {'seed s':>8s} {'records':>8s} {'rollups':>8s} {'other':>6s} {'docs/rec':>9s} "
          f"{'rollup/rec':>10s} {'cold ms':>8s} {'warm ms':>8s} {'queries':>8s}")
    for backend, r in results.items():
        per_record = (r["records"] + r["rollups"] + r["other"]) / r["records"]
        print(f"{backend:10s} {r['seed_s']:8.1f} {r['records']:8,} {r['rollups']:8,} {r['other']:6,} "
              f"{per_record:9.2f} {r['rollups'] / r['records']:10.2f} {r['cold_ms']:8.0f} "
              f"{r['warm_ms']:8.0f} {r['queries']:8d}")
    mongo, floor = results["MongoDB"], results["SQLite"]
    rollups_per_record = mongo["rollups"] / mongo["records"]
    misses = [label for label, missed in (
        (f"seed {mongo['seed_s']:.0f} s > {SEED_TARGET_S:.0f} s", mongo["seed_s"] > SEED_TARGET_S),
        (f"{rollups_per_record:.1f} rollup docs per record > {ROLLUPS_PER_RECORD_TARGET:.0f}",
         rollups_per_record > ROLLUPS_PER_RECORD_TARGET),
        (f"{mongo['queries']} queries per dashboard request > {QUERIES_TARGET}", mongo["queries"] > QUERIES_TARGET),
    ) if missed]
    label = args.size + "".join(f", {n:,} {flag}" for flag, n in counts.items() if n)
    print(f"mongodb ({label} seed): seed_data {mongo['seed_s']:.1f} s (SQLite {floor['seed_s']:.1f} s; "
          f"target ≤ {SEED_TARGET_S:.0f} s), {rollups_per_record:.2f} rollup docs per record (target ≤ "
          f"{ROLLUPS_PER_RECORD_TARGET:.0f}), dashboard {mongo['warm_ms']:.0f} ms warm / {mongo['cold_ms']:.0f} ms "
          f"cold in {mongo['queries']} queries (SQLite {floor['warm_ms']:.0f} ms, {floor['queries']}; target ≤ "
          f"{QUERIES_TARGET}): {'ok' if not misses else 'MISS: ' + '; '.join(misses)}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
