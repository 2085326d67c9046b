"""The cohort, repeat-purchase and RFM querysets compile to pipelines that start with a $match on a
range (no server needed): the cohort cells by month, the customer states by day number, the
sales behind a cohort cell by sold_at."""

import datetime as dt

import pytest

from analytics.figures.cohorts import cohort_retention, repeat_purchase
from analytics.figures.segments import Scores, rfm_segments, segment_movement
from analytics.members import cohort_member_ids
from analytics.models import SPAN_LONG
from core.filters import DateRange

pytestmark = pytest.mark.mongodb_pipeline
RANGE = DateRange(dt.date(2025, 1, 1), dt.date(2025, 6, 30))
BOUNDS = {"$gt", "$gte", "$lt", "$lte"}


def _operators(node):
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _operators(value)
    elif isinstance(node, list):
        for value in node:
            yield from _operators(value)


def assert_range_first(captured, collections):
    assert [c for c, _ in captured] and {c for c, _ in captured} <= set(collections), captured
    for collection, pipeline in captured:
        first = next(iter(pipeline[0]))
        assert first == "$match", (collection, pipeline)
        assert BOUNDS & set(_operators(pipeline[0]["$match"])), (collection, pipeline[0])
        assert "$lookup" not in [next(iter(stage)) for stage in pipeline], (collection, pipeline)


@pytest.mark.parametrize("channel", [None, "web"])
def test_cohort_figures_read_the_cells_by_month(mongo_pipelines, channel):
    cohort_retention(date_range=RANGE, category="Books", channel=channel)
    repeat_purchase(date_range=RANGE, channel=channel)
    cohort_retention(date_range=RANGE, channel=channel, period="week")
    assert_range_first(mongo_pipelines, {"analytics_cohortcell", "analytics_repeatgapcell",
                                         "analytics_cohortweekcell"})
    assert "analytics_cohortweekcell" in {collection for collection, _ in mongo_pipelines}


def test_rfm_reads_one_state_per_customer_by_day_number(mongo_pipelines):
    rfm_segments(date_range=RANGE)
    segment_movement(date_range=RANGE)
    Scores(dt.date(2025, 3, 1)).members("At risk")
    assert_range_first(mongo_pipelines, {"sales_activecustomerday"})
    # One read for each set of rows: the day scored (twice), and in the movement the customers with no
    # sale in the range and those who bought (their rows before and after); each is one day_number
    # range per span, the first its $match, the others $unionWith pipelines that start the same way.
    assert len(mongo_pipelines) == 5
    for collection, pipeline in mongo_pipelines:
        unions = [stage["$unionWith"] for stage in pipeline if "$unionWith" in stage]
        assert 0 < len(unions) <= SPAN_LONG
        assert_range_first([(union["coll"], union["pipeline"]) for union in unions], {"sales_activecustomerday"})


def test_a_cells_customers_read_the_sales_by_month(mongo_pipelines, monkeypatch):
    from bson import ObjectId

    monkeypatch.setattr("analytics.members.product_ids_in_category", lambda category: [ObjectId()])
    cohort_member_ids(cohort=dt.date(2025, 1, 1), month=dt.date(2025, 3, 1), category="Books", channel="web")
    sales = [(c, p) for c, p in mongo_pipelines if c == "sales_sale"]
    assert sales  # the month's buyers (none here, so nothing more is read)
    assert_range_first(sales, {"sales_sale"})
