import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from feedback.services import feedback_create

pytestmark = pytest.mark.django_db


def test_feedback_external_id_unique_when_present():
    customer, product = CustomerFactory(), ProductFactory()
    feedback_create(customer=customer, product=product, rating=4, external_id="R-1")
    feedback_create(customer=customer, product=product, rating=4)
    feedback_create(customer=customer, product=product, rating=4)
    with pytest.raises(ValidationError):
        feedback_create(customer=customer, product=product, rating=5, external_id="R-1")
