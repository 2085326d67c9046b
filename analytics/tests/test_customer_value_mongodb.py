"""clv_fit's reads and the value list compile to MongoDB pipelines that start with a range $match
(no server: the real compiler, empty cursors)."""

import datetime as dt

import pytest

from analytics.customer_value import customer_value_list, latest_sale_day
from analytics.customer_value.fit import _sales_until

pytestmark = pytest.mark.mongodb_pipeline


def stages(pipeline):
    return [next(iter(stage)) for stage in pipeline]


def test_the_sales_read_is_one_range_first_pipeline_without_joins(mongo_pipelines):
    assert _sales_until(dt.date(1997, 9, 30)) is None  # empty cursor: no sales
    (collection, pipeline), = mongo_pipelines
    assert collection == "sales_sale"
    match = str(pipeline[0]["$match"])
    assert stages(pipeline)[0] == "$match" and "$lt" in match and "sold_at" in match
    assert "datetime.datetime(1997, 10, 1, 0, 0)" in match and "Status.COMPLETED" in match
    assert "$lookup" not in stages(pipeline) and "$group" not in stages(pipeline)


def test_the_last_sale_day_walks_sold_at_from_a_range(mongo_pipelines):
    assert latest_sale_day() is None
    (collection, pipeline), = mongo_pipelines
    assert collection == "sales_sale"
    assert stages(pipeline)[0] == "$match" and "$gte" in str(pipeline[0]) and "sold_at" in str(pipeline[0])
    assert stages(pipeline)[-2:] == ["$sort", "$limit"]


def test_the_slipping_list_pages_from_a_range_match(mongo_pipelines):
    list(customer_value_list(filters={"slipping": "true"})[:25])
    (collection, pipeline), = mongo_pipelines
    assert collection == "analytics_customervalue"
    assert stages(pipeline)[0] == "$match" and "probability_alive_change" in str(pipeline[0])
    assert "$lte" in str(pipeline[0])
    assert stages(pipeline)[-2:] == ["$sort", "$limit"] and "$lookup" not in stages(pipeline)
