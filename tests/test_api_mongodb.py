"""The API's list queries compile to lean MongoDB pipelines (no server: real compiler, empty cursor).

There is no auth database in this pass, so the viewsets are called directly with a staff user
that is never saved (staff need no group lookup).
"""

from base64 import b64encode
from urllib.parse import urlencode

import pytest
from bson import ObjectId
from django.contrib.auth import get_user_model
from rest_framework.test import APIRequestFactory, force_authenticate

from accounts.api.views import CustomerViewSet
from catalog.api.views import ProductViewSet
from feedback.api.views import FeedbackViewSet
from sales.api.views import SaleViewSet
from sales.models import Sale

pytestmark = pytest.mark.mongodb_pipeline


def call(viewset, params=None, *, action="list", **kwargs):
    request = APIRequestFactory().get("/api/x/", params or {})
    force_authenticate(request, user=get_user_model()(username="probe", is_staff=True))
    response = viewset.as_view({"get": action})(request, **kwargs)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def stages(pipeline):
    return [next(iter(stage)) for stage in pipeline]


def leaves(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from leaves(value)


def cursor(value, pk):
    return b64encode(urlencode({"v": value, "k": str(pk)}).encode()).decode()


@pytest.fixture
def category_ids(monkeypatch):
    ids = [ObjectId(), ObjectId()]
    for where in ("sales.filters", "feedback.filters"):
        monkeypatch.setattr(f"{where}.product_ids_in_category", lambda category: ids)
    return ids


@pytest.mark.parametrize("viewset, collection, date_field", [
    (SaleViewSet, "sales_sale", "sold_at"), (FeedbackViewSet, "feedback_feedback", "created_at"),
])
def test_cursor_page_with_filters_is_one_unjoined_pipeline(mongo_pipelines, category_ids, viewset, collection,
                                                           date_field):
    last = ObjectId()
    params = {"category": "Books", "date_from": "2025-01-01",
              "cursor": cursor("2025-01-15T08:00:00+00:00", last)}
    assert call(viewset, params).status_code == 200
    (name, pipeline), = mongo_pipelines
    assert name == collection
    assert "$lookup" not in stages(pipeline)  # names are fetched for the page afterwards
    assert stages(pipeline)[-2:] == ["$sort", "$limit"]
    assert pipeline[-2] == {"$sort": {date_field: -1, "_id": -1}}
    assert pipeline[-1] == {"$limit": 51}
    match = list(leaves(pipeline[0]["$match"]))
    assert any(list(v.get("$in", ())) == category_ids for v in match)  # category → product ids, no join
    assert any(v.get("_id") == {"$lt": last} for v in match)  # the keyset: (date, id) after the cursor


def test_ordering_by_rating_keys_the_cursor_on_rating_and_id(mongo_pipelines):
    last = ObjectId()
    call(FeedbackViewSet, {"ordering": "rating", "cursor": cursor("3", last)})
    (_, pipeline), = mongo_pipelines
    assert pipeline[-2] == {"$sort": {"rating": 1, "_id": 1}}
    match = list(leaves(pipeline[0]["$match"]))
    assert {"rating": {"$gte": 3}} in match and {"_id": {"$gt": last}} in match


@pytest.mark.parametrize("viewset, collection", [
    (CustomerViewSet, "accounts_customer"), (ProductViewSet, "catalog_product"),
])
def test_page_number_lists_filter_then_sort_and_limit(mongo_pipelines, viewset, collection):
    params = {"customer": {"country": "PT", "date_from": "2025-01-01", "ordering": "-joined_at", "page": "1"},
              "product": {"category": "Books", "price_max": "20", "active": "true", "ordering": "price"}}
    call(viewset, params["customer" if viewset is CustomerViewSet else "product"])
    # the count, then the page (Django skips the page query when the count is 0: count only here)
    (name, pipeline), *_ = mongo_pipelines
    assert name == collection
    assert "$lookup" not in stages(pipeline)
    assert stages(pipeline)[0] == "$match"


def test_search_resolves_products_and_customers_first(mongo_pipelines, monkeypatch):
    call(SaleViewSet, {"search": "ana"})
    collections = [c for c, _ in mongo_pipelines]
    assert collections == ["catalog_product", "accounts_customer"]  # nothing matched: no sales query at all
    for _, pipeline in mongo_pipelines:
        assert stages(pipeline) == ["$match", "$project"]
        assert any("$regex" in str(v) for v in leaves(pipeline[0]))

    mongo_pipelines.clear()
    product_ids = [ObjectId()]
    monkeypatch.setattr("sales.filters.ids_of", lambda queryset: product_ids)
    call(SaleViewSet, {"search": "ana"})
    (name, pipeline), = mongo_pipelines
    assert name == "sales_sale" and "$lookup" not in stages(pipeline)
    assert any(list(v.get("$in", ())) == product_ids for v in leaves(pipeline))


def test_names_for_a_page_are_two_in_queries(mongo_pipelines):
    page = [Sale(pk=ObjectId(), product_id=ObjectId(), customer_id=ObjectId()) for _ in range(3)]
    expected = [sorted(s.product_id for s in page), sorted(s.customer_id for s in page)]
    SaleViewSet().attach(page)
    assert [c for c, _ in mongo_pipelines] == ["catalog_product", "accounts_customer"]
    for (_, pipeline), ids in zip(mongo_pipelines, expected, strict=True):
        assert "$lookup" not in stages(pipeline)
        (found,) = [v["_id"]["$in"] for v in leaves(pipeline) if isinstance(v.get("_id"), dict)]
        assert sorted(found) == ids


def test_csv_export_reads_all_matches_without_joins_or_limit(mongo_pipelines, category_ids):
    response = call(SaleViewSet, {"category": "Books", "format": "csv", "status": "completed"})
    assert response["Content-Type"].startswith("text/csv")
    (name, pipeline), = mongo_pipelines
    assert name == "sales_sale"
    assert "$lookup" not in stages(pipeline) and "$limit" not in stages(pipeline)


def test_malformed_object_ids_are_404_before_any_query(mongo_pipelines):
    for viewset in (CustomerViewSet, ProductViewSet, SaleViewSet, FeedbackViewSet):
        assert call(viewset, action="retrieve", pk="not-an-object-id").status_code == 404
    assert mongo_pipelines == []
    assert call(SaleViewSet, action="retrieve", pk=str(ObjectId())).status_code == 404  # unknown: one query
    (name, pipeline), = mongo_pipelines
    assert name == "sales_sale" and "$lookup" not in stages(pipeline)


def test_tampered_cursor_is_404_before_any_query(mongo_pipelines):
    response = call(SaleViewSet, {"cursor": cursor("2025-01-01T00:00:00+00:00", "not-an-object-id")})
    assert response.status_code == 404
    assert mongo_pipelines == []


def test_ids_serialize_as_strings():
    from accounts.models import Customer
    from catalog.models import Product
    from sales.api.serializers import SaleSerializer

    product = Product(pk=ObjectId(), name="Lamp", category="Home")
    customer = Customer(pk=ObjectId(), name="Ana")
    sale = Sale(pk=ObjectId(), product=product, customer=customer, quantity=1)
    row = SaleSerializer(sale, context={"request": None}).data
    assert (row["id"], row["product"], row["customer"]) == (str(sale.pk), str(product.pk), str(customer.pk))
    assert row["url"] == f"/api/sales/{sale.pk}/"
    assert (row["product_name"], row["customer_name"]) == ("Lamp", "Ana")


def test_related_ids_are_validated_before_the_database(mongo_pipelines):
    from sales.api.serializers import SaleSerializer

    serializer = SaleSerializer(data={"product": "nope", "customer": str(ObjectId()), "quantity": 1})
    assert not serializer.is_valid()
    assert serializer.errors["product"] == ['No record with id "nope".']
    assert serializer.errors["customer"] == [f'No record with id "{serializer.initial_data["customer"]}".']
    assert [c for c, _ in mongo_pipelines] == ["accounts_customer"]  # only the well-formed id was looked up


def test_schema_generates_cleanly_with_object_ids():
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    patterns = [path("api/", include("ecommerce_analytics.api_urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    problems = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert not problems, problems
    sale = schema["components"]["schemas"]["Sale"]["properties"]
    assert sale["id"]["type"] == sale["product"]["type"] == sale["customer"]["type"] == "string"
    detail = schema["paths"]["/api/sales/{id}/"]["get"]["parameters"]
    assert next(p for p in detail if p["name"] == "id")["schema"] == {"type": "string"}
