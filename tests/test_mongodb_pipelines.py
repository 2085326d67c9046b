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
