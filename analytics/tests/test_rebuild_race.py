"""A rollup rebuild never shows a half state: figures read from another process while rebuilds run are
each the numbers of a finished rebuild (before or after one), never empty or partial ones.

Runs analytics/tests/rebuild_race.py as separate processes on a database of their own (a SQLite file
in WAL mode, as in production, or a fresh database on the MongoDB server of the pass): one reads three
rollup-backed figures in a loop while the other changes a tenth of the sales behind the rollups' back
and rebuilds, several times.
"""

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

HELPER = Path(__file__).with_name("rebuild_race.py")
NAMES = ("revenue_by_category", "revenue_over_time", "sales_by_city")


def run(env, *args) -> list[str]:
    done = subprocess.run([sys.executable, str(HELPER), *args], env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


@pytest.fixture
def env(tmp_path):
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "DJANGO_SETTINGS_MODULE": "ecommerce_analytics.settings"}
    name = None
    if settings.USING_MONGODB:
        name = f"rebuild_race_{uuid.uuid4().hex[:8]}"
        env["MONGODB_NAME"] = name
        env["RACE_SALES"] = "300"  # the ORM rebuild on the SecantusDB test server is slow: a minute each
    yield env
    if name:
        from pymongo import MongoClient

        MongoClient(settings.MONGODB_URI).drop_database(name)


def figures(lines) -> list[tuple]:
    return [tuple(json.dumps(figure, sort_keys=True) for figure in json.loads(line)) for line in lines]


def test_figures_read_during_rebuilds_are_each_a_finished_rebuilds(env, tmp_path):
    rebuilds = 2 if settings.USING_MONGODB else 4  # two switches already show old, new, old
    finished = figures(run(env, "setup"))
    out, stop = tmp_path / "reads", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, str(HELPER), "read", str(out), str(stop)], env=env,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (out.exists() and out.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)  # reading before the first rebuild starts
        finished += figures(run(env, "flip", str(rebuilds)))
    finally:
        stop.touch()
        _, err = reader.communicate(timeout=300)
    assert reader.returncode == 0, err[-3000:]
    reads = figures(out.read_text().splitlines())
    assert len(reads) > rebuilds, "the reader read while the rebuilds ran"
    for i, name in enumerate(NAMES):  # each figure on its own: the three are separate reads
        done = {values[i] for values in finished}
        assert len(done) >= 2, f"the flips changed {name}"
        half = [n for n, values in enumerate(reads) if values[i] not in done]
        assert half == [], f"{name}: {len(half)} of {len(reads)} reads were not a finished rebuild's figure"
        assert len({values[i] for values in reads}) >= 2, f"the reader saw {name} switch"
