"""Querysets for each record type compile to MongoDB aggregation pipelines (no server needed)."""

import pytest
from django.db import connection
from django.db.models import Avg, Count, Sum

from accounts.models import Customer
from catalog.models import Product
from feedback.models import Feedback
from sales.models import Sale

pytestmark = pytest.mark.mongodb_pipeline


def compile_pipeline(qs):
    compiler = qs.query.get_compiler(using=qs.db)
    compiler.pre_sql_setup()
    return compiler.build_query(compiler.columns).get_pipeline()


def stages(pipeline):
    return [next(iter(stage)) for stage in pipeline]


def test_backend_is_mongodb():
    assert connection.vendor == "mongodb"


def test_customer_filter_compiles_to_match():
    pipeline = compile_pipeline(Customer.objects.filter(city="Lisbon", joined_at__year=2025))
    assert stages(pipeline)[0] == "$match"
    assert "$lookup" not in stages(pipeline)


def test_product_category_group_compiles_without_lookup():
    qs = Product.objects.filter(active=True).values("category").annotate(n=Count("pk"), avg=Avg("price"))
    pipeline = compile_pipeline(qs)
    assert "$group" in stages(pipeline)
    assert "$lookup" not in stages(pipeline)


def test_sales_grouped_by_product_stays_on_sales_collection():
    qs = Sale.objects.filter(status=Sale.Status.COMPLETED).values("product_id").annotate(revenue=Sum("total"))
    pipeline = compile_pipeline(qs)
    assert "$group" in stages(pipeline)
    assert "$lookup" not in stages(pipeline)


def test_feedback_with_related_names_uses_lookup_per_page_only(mongo_pipelines):
    list(Feedback.objects.select_related("product", "customer").filter(rating__gte=4)[:25])
    (collection, pipeline), = mongo_pipelines
    assert collection == "feedback_feedback"
    assert stages(pipeline).count("$lookup") == 2
    assert {"$limit": 25} in pipeline


def test_selectors_with_every_shared_filter_compile(mongo_pipelines, monkeypatch):
    from bson import ObjectId

    from accounts.selectors import customer_list
    from catalog.selectors import category_list, product_list
    from core.selectors import attach_related
    from feedback.selectors import feedback_list
    from sales.selectors import sale_list

    ids = [ObjectId(), ObjectId()]
    for where in ("sales.filters", "feedback.filters"):
        monkeypatch.setattr(f"{where}.product_ids_in_category", lambda category: ids)
    rng = {"date_from": "2025-01-01", "date_to": "2025-01-31"}
    page = list(sale_list(filters={**rng, "category": "Books", "quantity_min": "2", "status": "completed"})[:50])
    attach_related(page, "product", "customer")
    list(feedback_list(filters={**rng, "category": "Books", "rating_min": "4"})[:50])
    list(customer_list(filters={**rng, "country": "PT"})[:50])
    list(product_list(filters={"category": "Books", "price_max": "20", "active": "true"})[:50])
    category_list()

    collections = [c for c, _ in mongo_pipelines]
    assert collections == ["sales_sale", "feedback_feedback", "accounts_customer", "catalog_product",
                           "catalog_product"]
    sales_match = mongo_pipelines[0][1][0]["$match"]
    assert any(list(v.get("$in", ())) == ids for v in _leaves(sales_match)), sales_match
    # a page of sales is read without joins; sort and limit run on the sales collection
    assert "$lookup" not in stages(mongo_pipelines[0][1])
    assert stages(mongo_pipelines[0][1])[-2:] == ["$sort", "$limit"]


def _leaves(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _leaves(value)
    elif isinstance(node, list):
        for value in node:
            yield from _leaves(value)
