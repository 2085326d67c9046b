"""The forecast, anomalies and digest reads compile to range-first pipelines on the rollups (no server)."""

import datetime as dt

import pytest

from analytics.digest import week_by_category
from analytics.figures import FIGURES
from analytics.figures.trends import daily_sales
from analytics.rollups.version import version_current
from core.filters import DateRange

pytestmark = pytest.mark.mongodb_pipeline


def stages(pipeline):
    return [next(iter(stage)) for stage in pipeline]


def first_match(pipeline) -> str:
    assert stages(pipeline)[0] == "$match", pipeline
    return str(pipeline[0]["$match"])


@pytest.mark.parametrize("category", [None, "Books"])
def test_daily_sales_reads_the_salesday_rollup_by_a_day_range_first(mongo_pipelines, category):
    daily_sales(category)
    (collection, pipeline), = mongo_pipelines  # the last day with a sale; none here, so no second read
    assert collection == "sales_salesday"
    match = first_match(pipeline)
    assert "'day'" in match and "$gte" in match and "$lte" in match
    assert ("Books" in match) == bool(category)
    assert "$lookup" not in stages(pipeline)


def test_daily_sales_groups_the_history_by_day_after_a_range_match(mongo_pipelines, monkeypatch):
    # The first read finds a last day; the second sums the 3 years up to it per day.
    from django.db.models.query import QuerySet

    first = QuerySet.first
    monkeypatch.setattr(QuerySet, "first", lambda qs: dt.date(2025, 6, 30) if qs.model.__name__ == "SalesDay"
                        else first(qs))
    daily_sales("Books")
    (collection, pipeline), = mongo_pipelines
    assert collection == "sales_salesday"
    match = first_match(pipeline)
    assert "datetime.datetime(2022, 7, 1" in match and "datetime.datetime(2025, 6, 30" in match
    assert "Books" in match
    assert "$group" in stages(pipeline) and "$lookup" not in stages(pipeline)


def test_the_version_is_one_indexed_row(mongo_pipelines):
    assert version_current() == 0
    (collection, pipeline), = mongo_pipelines
    assert collection == "analytics_rollupversion"
    assert "rollups" in first_match(pipeline)
    assert {"$limit": 1} in pipeline


def test_the_digest_groups_a_week_by_category_after_a_range_match(mongo_pipelines):
    week_by_category(DateRange(dt.date(2025, 6, 23), dt.date(2025, 6, 29)))
    (collection, pipeline), = mongo_pipelines
    assert collection == "sales_salesday"
    assert "datetime.datetime(2025, 6, 23" in first_match(pipeline)
    assert "$group" in stages(pipeline)


@pytest.mark.parametrize("name", ["forecast", "anomalies"])
def test_the_figures_read_only_the_version_and_the_rollup(mongo_pipelines, name):
    FIGURES[name](date_range=DateRange(dt.date(2025, 1, 1), dt.date(2025, 6, 30)), category="Books")
    assert {collection for collection, _ in mongo_pipelines} == {"analytics_rollupversion", "sales_salesday"}
    for collection, pipeline in mongo_pipelines:
        first_match(pipeline)
