"""The record serializers' fast read path gives exactly DRF's output; ids are strings."""

import pytest
from rest_framework import serializers
from rest_framework.test import APIRequestFactory

from accounts.api.serializers import CustomerSerializer
from catalog.api.serializers import ProductSerializer
from core.api.serializers import RecordSerializer
from feedback.api.serializers import FeedbackSerializer
from feedback.tests.factories import FeedbackFactory
from sales.api.serializers import SaleSerializer
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    sale = SaleFactory()
    feedback = FeedbackFactory(product=sale.product, customer=sale.customer, comment="")
    return [(CustomerSerializer, sale.customer), (ProductSerializer, sale.product), (SaleSerializer, sale),
            (FeedbackSerializer, feedback)]


def test_fast_read_path_equals_drfs(records):
    request = APIRequestFactory().get("/api/sales/", {"format": "json"})
    for serializer_class, record in records:
        serializer = serializer_class(context={"request": request})
        assert serializer._plan is not None, serializer_class  # the fast path is in use
        fast = serializer.to_representation(record)
        drf = serializers.ModelSerializer.to_representation(serializer, record)
        assert fast == drf, serializer_class
        assert isinstance(fast["id"], str)


def test_kinds_the_fast_path_does_not_cover_fall_back_to_drf(records):
    class WithMethod(CustomerSerializer):
        initials = serializers.SerializerMethodField()

        class Meta(CustomerSerializer.Meta):
            fields = [*CustomerSerializer.Meta.fields, "initials"]

        def get_initials(self, obj):
            return obj.name[:1]

    _, customer = records[0]
    serializer = WithMethod(context={"request": None})
    assert serializer._plan is None
    assert serializer.to_representation(customer)["initials"] == customer.name[:1]


def test_fields_are_built_once_per_class_and_copied():
    first, second = SaleSerializer().fields, SaleSerializer().fields
    assert list(first) == list(second)
    assert first["quantity"] is not second["quantity"]
    assert "_built_fields" in SaleSerializer.__dict__ and "_built_fields" not in RecordSerializer.__dict__
