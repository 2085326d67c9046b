"""Where a cached API request spends its time: cProfile over N hits through Django's test client.

CPU profile of one process (no server, no sockets): a throw-away DATA_DIR is migrated and seeded
(small), an analyst's token issued, each API path of bench/load/mixed.lua requested twice to warm the
response cache, then the rotation is requested N times (default 2,000) under cProfile. Prints the
mean microseconds per request (profiler overhead included, so compare runs of this script only) and
the share of the time under each step every API request takes before its cached answer
(authentication, permission, throttle, the data versions the response is keyed by, the lookup), with
the bare Django view (bench/load/urls.py) beside as the floor.

    .venv/bin/python bench/load/profile_hit.py [N]
"""

import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path[:0] = [str(ROOT), str(HERE)]
N = int(sys.argv[1]) if len(sys.argv) > 1 else 2000

data_dir = tempfile.mkdtemp(prefix="profile-hit-")
os.environ.update(
    DATA_DIR=data_dir,
    CACHE_DIR=tempfile.mkdtemp(prefix="profile-hit-cache-", dir="/dev/shm" if os.access("/dev/shm", os.W_OK) else None),
    DJANGO_SETTINGS_MODULE="settings",
    API_THROTTLE_USER="10000000/s",
    API_THROTTLE_ANON="10000000/s",
    LOG_LEVEL="WARNING",
)
for name in ("MONGODB_URI", "ELASTICSEARCH_URL", "DEBUG"):
    os.environ.pop(name, None)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from io import StringIO  # noqa: E402

call_command("migrate", verbosity=0, interactive=False)
call_command("seed_data", size="small", stdout=StringIO(), stderr=StringIO())
call_command("search_index", "--rebuild", "-f", stdout=StringIO(), stderr=StringIO())
call_command("local_login", stdout=StringIO())
out = StringIO()
call_command("api_token", "analyst", stdout=out, stderr=StringIO())
token = re.search(r"[0-9a-f]{40}", out.getvalue()).group(0)

paths = [p for p in re.findall(r'^  "(/[^"]*)"', (HERE / "mixed.lua").read_text(), re.M) if p.startswith("/api/")]
client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
for path in paths * 2:
    assert client.get(path).status_code == 200, path

STEPS = {  # label: (file suffix, function name) whose cumulative time is that step's
    "authentication": ("rest_framework/request.py", "_authenticate"),
    "permission": ("rest_framework/views.py", "check_permissions"),
    "throttle": ("rest_framework/views.py", "check_throttles"),
    "data versions": ("core/api/cache.py", "data_versions"),
    "response lookup + answer": ("core/api/cache.py", "respond"),
}


def profile(label, run):
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    run()
    profiler.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    print(f"{label}: {wall / N * 1e6:,.0f} us per request (wall, under cProfile), {N:,} requests")
    return stats, wall


def mixed():
    for i in range(N):
        response = client.get(paths[i % len(paths)])
        assert response.status_code == 200 and response["X-Cache"] == "hit", (paths[i % len(paths)], response)


def bare():
    for _ in range(N):
        assert client.get("/bench/bare/").status_code == 200


def per_path(rounds=200):
    """Wall microseconds per hit of each path, without the profiler (the page with a signed-in
    browser's session and CSRF cookies, as mixed.lua sends them)."""
    from django.contrib.auth import get_user_model

    browser = Client(HTTP_HOST="127.0.0.1")
    browser.force_login(get_user_model().objects.get(username="analyst"))
    browser.cookies["csrftoken"] = "x" * 32
    browser.get("/")
    timed = [(path, client) for path in paths] + [("/", browser), ("/bench/bare/", client)]
    for path, who in timed:
        who.get(path)
        start = time.perf_counter()
        for _ in range(rounds):
            who.get(path)
        print(f"  {(time.perf_counter() - start) / rounds * 1e6:7,.0f} us  {path}")


print("per request, no profiler:")
per_path()
bare_stats, bare_wall = profile("bare view", bare)
stats, wall = profile("cached API hit", mixed)
for label, (suffix, name) in STEPS.items():
    total = sum(ct for (file, _, func), (_, _, _, ct, _) in stats.stats.items()
                if func == name and file.endswith(suffix))
    print(f"  {label:<26} {total / N * 1e6:7,.0f} us  {total / wall:6.1%}")
print("top 40 by cumulative time:")
stats.sort_stats("cumulative").print_stats(40)
