"""The pages' table queries compile for MongoDB: page and count on the record's own collection."""

import datetime as dt

import pytest
from django.test import RequestFactory

from core.filters import DateRange
from core.pages import COUNT_CAP, PageFilters, datatable_json
from sales import tables as sales_views

pytestmark = pytest.mark.mongodb_pipeline


def stages(pipeline):
    return [next(iter(stage)) for stage in pipeline]


def test_sales_table_counts_up_to_the_cap_and_fetches_one_page(mongo_pipelines):
    request = RequestFactory().get("/sales/table/", {
        "draw": 1, "start": 50, "length": 25, "order[0][column]": 6, "order[0][dir]": "desc",
    })
    filters = PageFilters(date_range=DateRange(dt.date(2025, 3, 1), dt.date(2025, 3, 31)))
    response = datatable_json(request, table=sales_views.TABLE, filters=filters)
    assert response.status_code == 200
    (count_collection, count), (page_collection, page) = mongo_pipelines
    assert count_collection == page_collection == "sales_sale"
    # The count stops at the cap: a $limit before anything is counted, no join.
    assert {"$limit": COUNT_CAP + 1} in count
    assert stages(count).index("$limit") < len(count) - 1
    assert "$lookup" not in count
    # The page: filtered, sorted by total then id, skipped and limited on the sales collection.
    assert stages(page)[0] == "$match"
    assert {"$skip": 50} in page and {"$limit": 25} in page
    sort = next(stage["$sort"] for stage in page if "$sort" in stage)
    assert list(sort.values())[:2] == [-1, -1]


@pytest.mark.parametrize("pk", ["not-an-id", "123"])
def test_a_malformed_object_id_is_a_404(mongo_pipelines, pk):
    from django.http import Http404

    from accounts.selectors import customer_get
    from core.pages import object_or_404

    with pytest.raises(Http404):
        object_or_404(customer_get, pk)
    assert mongo_pipelines == []  # rejected before any query
