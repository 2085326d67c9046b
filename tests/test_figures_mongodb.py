"""Every figure, summary and rollup write compiles to MongoDB pipelines (no server: empty cursors)."""

import datetime as dt

import pytest
from bson import ObjectId

from analytics.figures import FIGURES, customer_summary, product_summary
from analytics.models import CityLedger, ProductLedger
from analytics.rollups.ledger import prefix_span
from core.filters import DateRange

pytestmark = pytest.mark.mongodb_pipeline

RANGES = {
    "all": DateRange(),
    "week": DateRange(dt.date(2025, 3, 10), dt.date(2025, 3, 16)),
    "year": DateRange(dt.date(2024, 7, 1), dt.date(2025, 6, 30)),
    "open_end": DateRange(dt.date(2025, 1, 1), None),
}


def stages(pipeline):
    return [next(iter(stage)) for stage in pipeline]


def lookups_into(captured, collection, target):
    return [
        stage for name, pipeline in captured if name == collection
        for stage in pipeline if "$lookup" in stage and stage["$lookup"].get("from") == target
    ]


@pytest.mark.parametrize("range_name", sorted(RANGES))
@pytest.mark.parametrize("category", [None, "Books"])
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure_compiles_without_joins(mongo_pipelines, name, category, range_name):
    result = FIGURES[name](date_range=RANGES[range_name], category=category)
    assert isinstance(result, dict)
    assert mongo_pipelines, "the figure ran no query"
    for collection, pipeline in mongo_pipelines:
        assert "$lookup" not in stages(pipeline), (collection, pipeline)


def test_revenue_over_time_groups_on_the_rollup(mongo_pipelines):
    FIGURES["revenue_over_time"](date_range=RANGES["year"], category="Books")
    collections = {collection for collection, _ in mongo_pipelines}
    assert collections == {"sales_salesday"}
    grouped = [p for _, p in mongo_pipelines if "$group" in stages(p)]
    assert grouped
    match = mongo_pipelines[0][1][0]["$match"]
    assert "Books" in str(match)


def with_unions(pipelines):
    """(collection, pipeline) of every read, each $unionWith's own collection and pipeline included."""
    for collection, pipeline in pipelines:
        yield collection, pipeline
        for stage in pipeline:
            if "$unionWith" in stage:
                yield stage["$unionWith"]["coll"], stage["$unionWith"]["pipeline"]


def test_customer_map_reads_both_city_ledgers_from_a_range_match(rebuilt_span, mongo_pipelines):
    """One command (shared.PlaceSums: the located cities, then each ledger as a $unionWith), each ledger's
    part starting from a $match on the range."""
    FIGURES["customer_map"](date_range=RANGES["year"], category="Books")
    assert [c for c, _ in mongo_pipelines] == ["sales_city"]
    ledgers = {c: p for c, p in with_unions(mongo_pipelines) if c.endswith("ledger")}
    assert set(ledgers) == {"sales_cityjoinledger", "sales_cityledger"}
    for pipeline in ledgers.values():
        assert stages(pipeline)[0] == "$match"
        assert "datetime.datetime(2025, 6, 30, 0, 0)" in str(pipeline[0])
        assert "$group" in stages(pipeline)
    assert "Books" in str(ledgers["sales_cityledger"][0])


def test_top_products_reads_the_product_ledger_with_signed_sums(mongo_pipelines):
    FIGURES["top_products"](date_range=RANGES["year"], category="Books")
    ledger = [p for c, p in mongo_pipelines if c == "sales_productledger"]
    assert len(ledger) == 1 and stages(ledger[0])[0] == "$match" and "$group" in stages(ledger[0])
    assert not lookups_into(mongo_pipelines, "sales_sale", "catalog_product")


def test_the_prefix_span_is_read_by_key_never_by_sorting_a_ledger(mongo_pipelines):
    """It was $match {prefix} → $sort day → $limit 1 on the ledger, twice: a whole-collection sort on a
    store that does not walk an index to sort. Now one read of the spans' own collection (a row per
    ledger) answers every ledger."""
    prefix_span(CityLedger)
    prefix_span(ProductLedger)
    ((collection, pipeline),) = mongo_pipelines
    assert collection == "analytics_ledgerspan"
    assert not {"$sort", "$group", "$lookup"} & set(stages(pipeline))


def test_product_and_customer_summaries_compile(mongo_pipelines):
    product_summary(product_id=ObjectId(), date_range=RANGES["year"])
    customer_summary(customer_id=ObjectId(), date_range=RANGES["all"])
    collections = {collection for collection, _ in mongo_pipelines}
    assert {"sales_sale", "feedback_feedback"} <= collections
    for _, pipeline in mongo_pipelines:
        assert "$lookup" not in stages(pipeline)


LEDGER_FIGURES = [
    "top_products", "quantity_vs_rating", "sales_by_city", "customers_per_city", "average_rating_per_product",
]


@pytest.mark.parametrize("name", LEDGER_FIGURES)
@pytest.mark.parametrize("range_name", sorted(RANGES))
def test_ledger_figures_compile_with_prefix_rows(rebuilt_span, mongo_pipelines, name, range_name):
    """With a rebuilt span a range reads the days from its Mondays on, the first span signed negative."""
    date_range = RANGES[range_name]
    FIGURES[name](date_range=date_range, category="Books")
    ledger = [p for c, p in with_unions(mongo_pipelines) if c.endswith("ledger")]
    # sales_by_city reads the place sums: its city ledger and the customer map's joins, one command
    assert len(ledger) == (2 if name == "sales_by_city" else 1) and len(mongo_pipelines) <= 2
    for pipeline in ledger:
        text = str(pipeline)
        signed = "$switch" in text
        if range_name == "all":  # R(∞): the last Monday's prefix rows and any day rows after it
            assert "datetime.datetime(2026, 7, 6, 0, 0)" in text and "datetime.datetime(9999, 12, 31" in text
            assert not signed
        if range_name == "year":
            # R(b) from the last Monday ≤ 2025-06-30; L(a) from the last Monday ≤ 2024-06-30, negative.
            assert "datetime.datetime(2025, 6, 30, 0, 0)" in text
            assert "datetime.datetime(2024, 6, 24, 0, 0)" in text
            assert signed
        if range_name == "week":  # shorter than four weeks: the day rows of its seven days
            assert not signed
            assert "datetime.datetime(2025, 3, 10, 0, 0)" in text
            assert "datetime.datetime(2025, 3, 16, 0, 0)" in text
    for _, stages_of in mongo_pipelines:
        assert "$lookup" not in stages(stages_of)


@pytest.mark.parametrize("compare", ["previous", "year"])
def test_kpis_read_each_day_rollup_once_for_both_periods_from_a_range_match(mongo_pipelines, compare):
    """shared.together: one read per day rollup, its $match the days of both periods (one range when
    they touch, the two ranges OR-ed a year apart), never a scan of the rollup."""
    from analytics.figures.kpis import kpis

    kpis(date_range=RANGES["week"], category="Books", compare=compare)
    day_reads = [(c, p) for c, p in mongo_pipelines if c.endswith("day") and c != "sales_activecustomerday"]
    assert sorted(c for c, _ in day_reads) == ["sales_customerjoinday", "sales_feedbackday", "sales_salesday"]
    for collection, pipeline in day_reads:
        match = str(pipeline[0]["$match"])
        assert stages(pipeline)[0] == "$match", (collection, pipeline)
        assert "datetime.datetime(2025, 3, 16, 0, 0)" in match  # the range's last day
        earliest = {"previous": "datetime.datetime(2025, 3, 3, 0, 0)", "year": "datetime.datetime(2024, 3, 10, 0, 0)"}
        assert earliest[compare] in match, match
        assert ("$or" in match) == (compare == "year"), match
