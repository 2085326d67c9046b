"""seed_data --anomalies N: known spikes and drops, reproducible, on ordinary days; and how many the
anomalies figure finds again (precision and recall at the default settings)."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from analytics.figures import FIGURES
from analytics.figures.trends import daily_sales
from analytics.trends.features import event_of
from core.filters import DateRange
from sales.models import Sale
from seeding.generate import build_plan, options
from seeding.generate.anomalies import MIN_GAP, plant
from seeding.generate.run import planted_anomalies
from seeding.generate.timeline import Window

pytestmark = pytest.mark.django_db

UNTIL = dt.date(2026, 6, 30)
TODAY = dt.date(2026, 11, 30)
PLANTED_LINE = re.compile(r"^  (\d{4}-\d{2}-\d{2}) (spike|drop) +×([0-9.]+)$", re.M)


def seed(*args: str, django_capture_on_commit_callbacks) -> dict[dt.date, tuple[str, float]]:
    """Seed (the rollups rebuilt as after a real commit); the planted days as the output lists them."""
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_data", *args, f"--until={UNTIL}", stdout=out, stderr=io.StringIO())
    return {dt.date.fromisoformat(d): (kind, float(f)) for d, kind, f in PLANTED_LINE.findall(out.getvalue())}


def test_the_same_seed_plants_the_same_days_and_another_seed_others():
    def days(seed):
        return [p.day for p in planted_anomalies(build_plan(today=TODAY, seed=seed, until=UNTIL, anomalies=12))]

    assert days(4) == days(4)
    assert days(4) != days(5)
    assert len(days(4)) == 12


def test_planted_days_are_ordinary_and_apart():
    window = Window(until=UNTIL)
    planted = plant(seed=9, window=window, n=40)
    assert len({p.day for p in planted}) == 40
    assert {p.direction for p in planted} == {"spike", "drop"}
    for p in planted:
        near = [p.day + dt.timedelta(days=k) for k in range(-3, 4)]
        assert not any(event_of(d) for d in near)
        assert all(d.day != 1 for d in near)
        assert window.first_day + dt.timedelta(days=28) <= p.day < UNTIL - dt.timedelta(days=27)
    gaps = [(b.day - a.day).days for a, b in zip(planted, planted[1:])]
    assert min(gaps) >= MIN_GAP


@pytest.mark.embedded_only(reason="seeding 10,000 sales and rebuilding the rollups through the ORM takes "
                           "many minutes on the MongoDB test server; the planting is numpy, the same on both")
def test_the_output_lists_the_plan_and_the_sales_follow_it(django_capture_on_commit_callbacks):
    listed = seed("--size=small", "--seed=3", "--anomalies=6",
                  django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    plan = build_plan(today=TODAY, size="small", seed=3, until=UNTIL, anomalies=6)
    assert listed == {p.day: (p.direction, p.factor) for p in planted_anomalies(plan)}
    days, values = daily_sales()
    orders = dict(zip(days, values["orders"]))
    for day, (kind, _factor) in listed.items():
        # The same weekday in the weeks around: the planted day is far above or below all of them.
        usual = sorted(orders[day + dt.timedelta(days=7 * k)] for k in (-2, -1, 1, 2))
        assert (orders[day] > 1.5 * usual[-1]) if kind == "spike" else (orders[day] < 0.7 * usual[0])
    assert Sale.objects.count() == options.SIZES["small"]["sales"]


@pytest.mark.parametrize(("args", "message"), [
    (["--anomalies=-2"], options.NEGATIVE.format(flag="anomalies", value=-2)),
    (["--anomalies=many"], options.NOT_A_NUMBER.format(flag="anomalies", value="many")),
    ([f"--anomalies={options.MAX_ANOMALIES + 1}"],
     options.TOO_LARGE.format(flag="anomalies", cap=options.MAX_ANOMALIES, value=options.MAX_ANOMALIES + 1)),
    (["--anomalies=3", "--sales=0", "--feedback=0"], options.ANOMALIES_NEED_SALES.format(value=3)),
])
def test_bad_anomaly_counts_fail_and_write_nothing(args, message):
    with pytest.raises(CommandError) as error:
        call_command("seed_data", "--users=5", "--products=3", "--sales=10", *args, stdout=io.StringIO())
    assert message in str(error.value)
    assert not Sale.objects.exists()


@pytest.mark.embedded_only(reason="the medium seed (100k sales) takes minutes to write on the MongoDB "
                           "test server; the detection rule is backend-independent (numpy on the rollup)")
def test_detection_on_the_medium_seed_has_precision_and_recall_of_at_least_0_9(
    django_capture_on_commit_callbacks,
):
    planted = seed("--size=medium", "--anomalies=20",
                   django_capture_on_commit_callbacks=django_capture_on_commit_callbacks)
    assert len(planted) == 20
    result = FIGURES["anomalies"](date_range=DateRange())
    assert result["status"] == "fresh"
    flagged = {dt.date.fromisoformat(r["date"]) for r in result["rows"]}  # revenue or orders
    hits = flagged & set(planted)
    precision, recall = len(hits) / max(len(flagged), 1), len(hits) / len(planted)
    assert precision >= 0.9 and recall >= 0.9, (precision, recall, sorted(flagged ^ set(planted)))
    directions = {dt.date.fromisoformat(r["date"]): r["direction"] for r in result["rows"]}
    assert all(directions[day] == planted[day][0] for day in hits)
