"""Pieces the benches share: timing a call, its p95, the raw GROUP BY floor, an analyst's client.

Import after ``django.setup()`` (the bench sets DATA_DIR and the settings first); the Django imports
are inside the functions so importing this module touches nothing.
"""

import statistics
import time

HOST = "127.0.0.1"


def timed(fn, runs: int) -> list[float]:
    """Wall milliseconds of ``runs`` calls of ``fn``, after one untimed warm call (first-query
    compilation, page cache). What the figures keep under the rollups' version token
    (analytics.rollups.version.Kept) is forgotten before each call, untimed, as the first request
    after a write finds it: every call reads the rollups."""
    from analytics.rollups.version import kept_forget

    fn()
    samples = []
    for _ in range(runs):
        kept_forget()
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[-1]


def floor_ms() -> float:
    """One plain GROUP BY month over the completed sales, in SQL: what a figure costs without rollups."""
    from django.db import connection

    from sales.models import Sale

    sql = (
        f"SELECT substr(sold_at, 1, 7), SUM(total), COUNT(*) FROM {Sale._meta.db_table} "
        "WHERE status = %s GROUP BY 1"
    )

    def group_by_month():
        with connection.cursor() as cursor:
            cursor.execute(sql, [Sale.Status.COMPLETED])
            return cursor.fetchall()

    return statistics.median(timed(group_by_month, 3))


def analyst_client():
    """A test Client logged in as ``bench-analyst`` (made once, in the analysts group)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.test import Client

    from core.groups import ANALYSTS

    user, _ = get_user_model().objects.get_or_create(username="bench-analyst")
    user.groups.add(Group.objects.get(name=ANALYSTS))
    client = Client(SERVER_NAME=HOST)
    client.force_login(user)
    return client
