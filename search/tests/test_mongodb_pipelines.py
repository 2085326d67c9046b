"""The search app's querysets compile to MongoDB pipelines (MongoDB-mode pass, no server)."""

import pytest

from search import records, sync
from search.models import PendingUpdate

pytestmark = pytest.mark.mongodb_pipeline

OID = "65a1b2c3d4e5f60718293a4b"


def stages(pipeline):
    return [next(iter(stage)) for stage in pipeline]


@pytest.mark.parametrize("record_type", records.TYPES)
def test_bulk_documents_read_one_collection_without_lookups(mongo_pipelines, record_type):
    list(records.documents(record_type))
    assert mongo_pipelines, "no query ran"
    for _collection, pipeline in mongo_pipelines:
        assert "$lookup" not in stages(pipeline)


def test_documents_of_a_product_s_sales_filter_on_the_foreign_key(mongo_pipelines):
    list(records.documents(records.SALE, product_id=OID))
    collection, pipeline = mongo_pipelines[0]
    assert collection == "sales_sale"
    assert stages(pipeline)[0] == "$match"


def test_documents_by_ids(mongo_pipelines):
    list(records.documents(records.CUSTOMER, pk__in=[OID]))
    ((collection, pipeline),) = mongo_pipelines
    assert collection == "accounts_customer" and stages(pipeline)[0] == "$match"


def test_pending_queue_queries(mongo_pipelines):
    list(PendingUpdate.objects.order_by("created_at", "pk")[: sync.DRAIN_BATCH])
    PendingUpdate.objects.exists()
    assert [c for c, _ in mongo_pipelines] == ["search_pendingupdate", "search_pendingupdate"]
    assert {"$limit": sync.DRAIN_BATCH} in mongo_pipelines[0][1]


def test_permission_check(mongo_pipelines):
    from django.contrib.auth import get_user_model

    from search.permissions import is_analyst_or_staff

    user = get_user_model()(pk=OID, username="x", is_staff=False)
    assert is_analyst_or_staff(user) is False
    assert len(mongo_pipelines) == 1
