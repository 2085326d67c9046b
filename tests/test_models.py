"""Invalid values are rejected on every path: model validation (admin, API, services) and the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts.services import CUSTOMER_HAS_RECORDS, customer_create, customer_delete
from accounts.tests.factories import CustomerFactory
from catalog.models import PRICE_MIN
from catalog.services import PRODUCT_HAS_RECORDS, product_create, product_delete, product_update
from catalog.tests.factories import ProductFactory
from feedback.models import FEEDBACK_BEFORE_JOIN, RATING_RANGE, Feedback
from feedback.services import feedback_create
from sales.models import QUANTITY_MIN, SALE_BEFORE_JOIN, UNIT_PRICE_MIN, Sale
from sales.services import sale_create, sale_refund, sale_update
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db

UTC = dt.timezone.utc


def when(*args):
    return dt.datetime(*args, tzinfo=UTC)


def test_sale_total_is_quantity_times_unit_price():
    product = ProductFactory(price=Decimal("12.50"))
    sale = sale_create(customer=CustomerFactory(), product=product, quantity=3, sold_at=when(2025, 1, 2))
    assert sale.unit_price == Decimal("12.50")
    assert sale.total == Decimal("37.50")
    sale = sale_update(sale=sale, data={"quantity": 4, "unit_price": Decimal("9.99")})
    sale.refresh_from_db()
    assert sale.total == Decimal("39.96")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("quantity", 0, QUANTITY_MIN),
        ("quantity", -2, QUANTITY_MIN),
        ("unit_price", Decimal("-1.00"), UNIT_PRICE_MIN),
    ],
)
def test_sale_rejects_bad_numbers(field, value, message):
    values = {"quantity": 1, "unit_price": Decimal("5.00"), field: value}
    with pytest.raises(ValidationError) as exc:
        sale_create(customer=CustomerFactory(), product=ProductFactory(), sold_at=when(2025, 1, 2), **values)
    assert message in exc.value.message_dict[field]
    assert not Sale.objects.exists()


def test_sale_before_customer_joined_is_rejected():
    customer = CustomerFactory(joined_at=when(2025, 6, 1))
    with pytest.raises(ValidationError) as exc:
        sale_create(customer=customer, product=ProductFactory(), quantity=1, sold_at=when(2025, 5, 31, 23))
    assert exc.value.message_dict["sold_at"] == [SALE_BEFORE_JOIN.format(joined=customer.joined_at)]


def test_moving_a_sale_before_the_join_date_is_rejected():
    sale = SaleFactory(customer=CustomerFactory(joined_at=when(2025, 1, 1)), sold_at=when(2025, 2, 1))
    with pytest.raises(ValidationError):
        sale_update(sale=sale, data={"sold_at": when(2024, 12, 31)})
    sale.refresh_from_db()
    assert sale.sold_at == when(2025, 2, 1)


def test_refund_changes_status_only():
    sale = SaleFactory()
    sale_refund(sale=sale)
    sale.refresh_from_db()
    assert sale.status == Sale.Status.REFUNDED
    assert sale.total == sale.quantity * sale.unit_price


@pytest.mark.parametrize("rating", [0, 6, -1])
def test_feedback_rating_must_be_1_to_5(rating):
    with pytest.raises(ValidationError) as exc:
        feedback_create(customer=CustomerFactory(), product=ProductFactory(), rating=rating,
                        created_at=when(2025, 1, 2))
    assert RATING_RANGE in exc.value.message_dict["rating"]
    assert not Feedback.objects.exists()


def test_feedback_before_customer_joined_is_rejected():
    customer = CustomerFactory(joined_at=when(2025, 6, 1))
    with pytest.raises(ValidationError) as exc:
        feedback_create(customer=customer, product=ProductFactory(), rating=5, created_at=when(2025, 1, 1))
    assert exc.value.message_dict["created_at"] == [FEEDBACK_BEFORE_JOIN.format(joined=customer.joined_at)]


def test_product_price_cannot_be_negative():
    with pytest.raises(ValidationError) as exc:
        product_create(sku="X-1", name="Kettle", category="Home & Kitchen", price=Decimal("-0.01"))
    assert exc.value.message_dict["price"] == [PRICE_MIN]
    product = ProductFactory()
    with pytest.raises(ValidationError):
        product_update(product=product, data={"price": Decimal("-3")})


def test_customer_email_is_unique():
    customer_create(name="A", email="a@example.com", city="Porto", country="PT")
    with pytest.raises(ValidationError) as exc:
        customer_create(name="B", email="a@example.com", city="Porto", country="PT")
    assert "email" in exc.value.message_dict


@pytest.mark.parametrize("field, value", [("latitude", 91), ("longitude", -181)])
def test_customer_coordinates_in_range(field, value):
    with pytest.raises(ValidationError) as exc:
        customer_create(name="A", email="a@example.com", city="Porto", country="PT", **{field: value})
    assert field in exc.value.message_dict


@pytest.mark.embedded_only(reason="django-mongodb-backend creates no CHECK constraints (MongoDB has none), "
                                  "so there model validation and the services are the only guard")
def test_database_constraints_back_up_validation():
    """A write that skips validation (a bug, a shell session) still cannot store bad values."""
    sale = SaleFactory()
    for field, value in [("quantity", 0), ("unit_price", Decimal("-1")), ("total", Decimal("-1"))]:
        with pytest.raises(IntegrityError), transaction.atomic():
            Sale.objects.filter(pk=sale.pk).update(**{field: value})
    feedback = Feedback.objects.create(customer=sale.customer, product=sale.product, rating=3,
                                       created_at=when(2025, 4, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Feedback.objects.filter(pk=feedback.pk).update(rating=9)


def test_records_with_history_cannot_be_deleted():
    sale = SaleFactory()
    with pytest.raises(ValidationError, match=CUSTOMER_HAS_RECORDS):
        customer_delete(customer=sale.customer)
    with pytest.raises(ValidationError, match=PRODUCT_HAS_RECORDS):
        product_delete(product=sale.product)
    assert Sale.objects.filter(pk=sale.pk).exists()


def test_attributes_hold_per_category_specs():
    product = product_create(
        sku="TV-55", name="55in TV", category="Electronics", price=Decimal("499.00"),
        attributes={"screen_inches": 55, "ports": ["hdmi", "usb"]},
    )
    product.refresh_from_db()
    assert product.attributes["ports"] == ["hdmi", "usb"]
