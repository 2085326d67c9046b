"""Sane values on every write path: dates inside the window (EARLIEST_DATE .. now + clock skew),
join dates not after the customer's records, emails unique whatever their case, no control
characters in names and codes."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import EMAIL_TAKEN, JOINED_AFTER_RECORDS, Customer
from accounts.services import customer_create, customer_update
from accounts.tests.factories import CustomerFactory
from catalog.services import product_create, product_update
from catalog.tests.factories import ProductFactory
from core.dates import CLOCK_SKEW, DATE_IN_FUTURE, DATE_TOO_EARLY
from core.validators import CONTROL_CHARACTERS
from feedback.services import feedback_create
from feedback.tests.factories import FeedbackFactory
from sales.services import sale_create
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
UTC = dt.timezone.utc
TOO_EARLY = DATE_TOO_EARLY.format(earliest=dt.date(1900, 1, 1))


def when(*args):
    return dt.datetime(*args, tzinfo=UTC)


def future():
    return timezone.now() + CLOCK_SKEW + dt.timedelta(minutes=1)


def create(kind, at):
    """Create one record of ``kind`` dated ``at`` through its service."""
    customer, n = CustomerFactory(joined_at=when(1900, 1, 1)), next(_serial)
    if kind == "customer":
        return customer_create(
            name="Ana", email=f"ana{n}@example.com", city="Lisbon", country="PT", joined_at=at
        )
    if kind == "product":
        return product_create(sku=f"SKU-{n}", name="Lamp", category="Home", price=Decimal("5"), created_at=at)
    if kind == "sale":
        return sale_create(customer=customer, product=ProductFactory(), quantity=1, sold_at=at)
    return feedback_create(customer=customer, product=ProductFactory(), rating=4, created_at=at)


_serial = itertools.count()
FIELDS = {"customer": "joined_at", "product": "created_at", "sale": "sold_at", "feedback": "created_at"}


@pytest.mark.parametrize("kind", FIELDS)
def test_dates_in_the_future_or_before_the_earliest_date_are_refused(kind):
    field = FIELDS[kind]
    with pytest.raises(ValidationError) as exc:
        create(kind, future())
    assert exc.value.message_dict[field] == [DATE_IN_FUTURE]
    with pytest.raises(ValidationError) as exc:
        create(kind, when(1899, 12, 31, 23, 59))
    assert TOO_EARLY in exc.value.message_dict[field]  # (sales and feedback: also before the join)


@pytest.mark.parametrize("kind", FIELDS)
def test_dates_at_the_edges_of_the_window_are_accepted(kind):
    assert create(kind, when(1900, 1, 1)).pk
    assert getattr(create(kind, timezone.now() + CLOCK_SKEW - dt.timedelta(seconds=5)), FIELDS[kind])


def test_earliest_date_is_a_setting(settings):
    settings.EARLIEST_DATE = dt.date(2000, 1, 1)
    with pytest.raises(ValidationError) as exc:
        product_create(
            sku="S", name="Old", category="Books", price=Decimal("1"), created_at=when(1999, 12, 31)
        )
    assert exc.value.message_dict["created_at"] == [DATE_TOO_EARLY.format(earliest=dt.date(2000, 1, 1))]


def test_the_api_answers_400_naming_the_date_field(staff_client):
    body = {"name": "Ana", "email": "ana@example.com", "city": "Lisbon", "country": "PT",
            "joined_at": "9999-12-31T00:00:00Z"}
    response = staff_client.post("/api/users/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["joined_at"] == [DATE_IN_FUTURE]
    body["joined_at"] = "0100-01-01T00:00:00Z"
    response = staff_client.post("/api/users/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["joined_at"] == [TOO_EARLY]
    assert not Customer.objects.exists()


def test_the_admin_shows_the_date_error(staff_client):
    product = ProductFactory()
    customer = CustomerFactory()
    response = staff_client.post(reverse("admin:sales_sale_add"), {
        "customer": customer.pk, "product": product.pk, "quantity": 1, "unit_price": "7.50",
        "sold_at_0": "9999-12-31", "sold_at_1": "10:00:00", "channel": "web", "status": "completed",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["sold_at"] == [DATE_IN_FUTURE]


def test_moving_joined_at_after_the_customers_sales_or_feedback_is_refused():
    customer = CustomerFactory(joined_at=when(2024, 1, 1))
    SaleFactory(customer=customer, sold_at=when(2025, 3, 15, 12))
    with pytest.raises(ValidationError) as exc:
        customer_update(customer=customer, data={"joined_at": when(2025, 3, 16)})
    assert exc.value.message_dict["joined_at"] == [
        JOINED_AFTER_RECORDS.format(what="a sale", first=when(2025, 3, 15, 12))
    ]
    other = CustomerFactory(joined_at=when(2024, 1, 1))
    FeedbackFactory(customer=other, created_at=when(2025, 2, 1, 8))
    with pytest.raises(ValidationError) as exc:
        customer_update(customer=other, data={"joined_at": when(2025, 2, 2)})
    assert exc.value.message_dict["joined_at"] == [
        JOINED_AFTER_RECORDS.format(what="feedback", first=when(2025, 2, 1, 8))
    ]
    # Up to the first record is fine.
    customer_update(customer=customer, data={"joined_at": when(2025, 3, 15, 12)})
    customer.refresh_from_db()
    assert customer.joined_at == when(2025, 3, 15, 12)


def test_emails_are_stored_in_lower_case_and_unique_whatever_the_case():
    customer = customer_create(name="Ana", email="Ana@Example.COM", city="Lisbon", country="PT")
    assert Customer.objects.get(pk=customer.pk).email == "ana@example.com"
    with pytest.raises(ValidationError) as exc:
        customer_create(name="Other Ana", email="ANA@example.com", city="Porto", country="PT")
    assert exc.value.message_dict["email"] == [EMAIL_TAKEN]
    legacy = CustomerFactory(email="Bob@Example.com")  # stored before emails were normalised
    with pytest.raises(ValidationError) as exc:
        customer_update(customer=customer, data={"email": "bob@example.com"})
    assert exc.value.message_dict["email"] == [EMAIL_TAKEN]
    customer_update(customer=legacy, data={"email": "BOB@example.com"})  # its own address, any case
    assert Customer.objects.get(pk=legacy.pk).email == "bob@example.com"


def test_duplicate_email_in_another_case_is_400_on_the_api_and_an_error_in_the_admin(staff_client):
    CustomerFactory(email="ana@example.com")
    body = {"name": "Ana", "email": "ANA@example.com", "city": "Lisbon", "country": "PT",
            "joined_at": "2025-01-01T00:00:00Z"}
    response = staff_client.post("/api/users/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["email"] == [EMAIL_TAKEN]
    response = staff_client.post(reverse("admin:accounts_customer_add"), {
        "name": "Ana", "email": "Ana@Example.com", "city": "Lisbon", "country": "PT",
        "joined_at_0": "2025-01-01", "joined_at_1": "10:00:00",
    })
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == [EMAIL_TAKEN]
    assert Customer.objects.count() == 1


@pytest.mark.parametrize("field", ["name", "city", "country", "address"])
@pytest.mark.parametrize("bad", ["\x00", "\x1b[31m", "\n", "\t", "\x7f", "\x85"])
def test_control_characters_are_refused_in_customer_fields(field, bad):
    values = {
        "name": "Ana", "email": "ana@example.com", "city": "Lisbon", "country": "PT", "address": "Rua 1",
    }
    values[field] = f"A{bad}B"
    with pytest.raises(ValidationError) as exc:
        customer_create(**values)
    assert exc.value.message_dict[field] == [CONTROL_CHARACTERS]


@pytest.mark.parametrize("field", ["sku", "name", "brand", "category"])
def test_control_characters_are_refused_in_product_fields(field):
    values = {"sku": "SKU-1", "name": "Lamp", "category": "Home", "brand": "Acme", field: "Bad\x07value"}
    with pytest.raises(ValidationError) as exc:
        product_create(price=Decimal("1"), **values)
    assert exc.value.message_dict[field] == [CONTROL_CHARACTERS]


def test_long_text_keeps_tabs_and_line_breaks_but_not_other_control_characters():
    product = product_create(sku="S", name="Lamp", category="Home", price=Decimal("1"),
                             description="Line one\r\n\tLine two\n")
    assert "\tLine two" in product.description
    with pytest.raises(ValidationError) as exc:
        product_update(product=product, data={"description": "Bell\x07"})
    assert exc.value.message_dict["description"] == [CONTROL_CHARACTERS]
    customer = CustomerFactory()
    assert feedback_create(customer=customer, product=product, rating=5, comment="Great\n\tlamp").pk
    with pytest.raises(ValidationError) as exc:
        feedback_create(customer=customer, product=product, rating=5, comment="Null\x00byte")
    assert exc.value.message_dict["comment"] == [CONTROL_CHARACTERS]


def test_the_api_rejects_control_characters_naming_the_field(staff_client):
    body = {"sku": "S-1", "name": "Lamp\x00", "category": "Home", "price": "3.00",
            "created_at": "2025-01-01T00:00:00Z"}
    response = staff_client.post("/api/products/", body, content_type="application/json")
    assert response.status_code == 400
    assert CONTROL_CHARACTERS in response.json()["name"]
