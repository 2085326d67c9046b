"""Every explain read compiles to a MongoDB pipeline that starts with a range $match and joins nothing
(active customers: besides their rows' range reads, one read of the customers' cities, kept in the cache)."""

import datetime as dt

import pytest

from accounts.models import Customer
from analytics.figures.explain import EXPLAINABLE, NO_CATEGORY, explain
from analytics.models import SPAN_LONG, ActiveCustomerDay
from core.filters import DateRange

pytestmark = pytest.mark.mongodb_pipeline

RANGE = DateRange(dt.date(2025, 3, 1), dt.date(2025, 5, 31))
CASES = [
    (figure, dimension) for figure, dimensions in EXPLAINABLE.items() for dimension in dimensions
    if figure != "active_customers"
]
LAST_DAY = {"previous": dt.date(2025, 2, 28), "year": dt.date(2024, 5, 31)}


def stages(pipeline):
    return [next(iter(stage)) for stage in pipeline]


@pytest.mark.parametrize("compare", ["previous", "year"])
@pytest.mark.parametrize("category", [None, "Books"])
@pytest.mark.parametrize("figure, dimension", CASES)
def test_explain_reads_start_with_a_range_match(
    rebuilt_span, mongo_pipelines, figure, dimension, category, compare
):
    explain(figure=figure, dimension=dimension, date_range=RANGE, category=category, compare=compare)
    grouped = [(c, p) for c, p in mongo_pipelines if "$group" in stages(p)]
    assert len(grouped) == 2, mongo_pipelines  # the range and the comparison period
    # The comparison period's last day (the previous one, or a year earlier) is in its $match.
    last = {"previous": "datetime.datetime(2025, 2, 28", "year": "datetime.datetime(2024, 5, 31"}[compare]
    assert last in str(grouped[1][1][0])
    for collection, pipeline in mongo_pipelines:
        assert stages(pipeline)[0] == "$match", (collection, pipeline)
        assert "$lookup" not in stages(pipeline), (collection, pipeline)
    for collection, pipeline in grouped:
        assert collection != "sales_sale"  # rollups, not the sales
        assert "datetime.datetime(" in str(pipeline[0]), pipeline[0]
        if category and figure not in NO_CATEGORY:
            assert "Books" in str(pipeline[0])


@pytest.mark.parametrize("compare", ["previous", "year"])
@pytest.mark.parametrize("category", [None, "Books"])
@pytest.mark.parametrize("dimension", EXPLAINABLE["active_customers"])
def test_active_customers_read_each_periods_rows_by_range(mongo_pipelines, dimension, category, compare):
    explain(
        figure="active_customers", dimension=dimension, date_range=RANGE, category=category, compare=compare,
    )
    rows = [p for c, p in mongo_pipelines if c == ActiveCustomerDay._meta.db_table]
    assert len(rows) == 2  # one read per period: a range of day_number per span, the rest as $unionWith
    for pipeline in rows:
        parts = [pipeline] + [stage["$unionWith"]["pipeline"] for stage in pipeline if "$unionWith" in stage]
        assert len(parts) == SPAN_LONG + 1
        for part in parts:
            match = str(part[0]["$match"])
            assert "day_number" in match and f"'{category or ''}'" in match, match
    places = [p for c, p in mongo_pipelines if c == Customer._meta.db_table]
    assert len(places) == 1  # the customer → city map, once for both periods
    for collection, pipeline in mongo_pipelines:
        assert "$lookup" not in stages(pipeline), (collection, pipeline)
        if collection != Customer._meta.db_table:
            assert stages(pipeline)[0] == "$match", (collection, pipeline)
    assert str(LAST_DAY[compare].toordinal()) in str(rows[-1])
