"""Django admin: staff manage the four record types; everyone else is kept out."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from feedback.tests.factories import FeedbackFactory
from sales.models import QUANTITY_MIN, SALE_BEFORE_JOIN, Sale
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db

MODELS = [
    ("accounts", "customer", CustomerFactory),
    ("catalog", "product", ProductFactory),
    ("sales", "sale", SaleFactory),
    ("feedback", "feedback", FeedbackFactory),
]


@pytest.mark.parametrize("app, model, factory", MODELS)
def test_staff_can_list_add_and_change(staff_client, app, model, factory):
    obj = factory()
    for url in (
        reverse(f"admin:{app}_{model}_changelist"),
        reverse(f"admin:{app}_{model}_changelist") + "?q=a",
        reverse(f"admin:{app}_{model}_add"),
        reverse(f"admin:{app}_{model}_change", args=[obj.pk]),
    ):
        response = staff_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.access
@pytest.mark.parametrize("who", ["anonymous", "analyst", "plain"])
@pytest.mark.parametrize("app, model, factory", MODELS)
def test_non_staff_are_sent_to_the_admin_login(client, analyst_user, plain_user, who, app, model, factory):
    if who != "anonymous":
        client.force_login(analyst_user if who == "analyst" else plain_user)
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_changelist_filters_by_category_and_date(staff_client):
    SaleFactory(product=ProductFactory(category="Books"), sold_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    SaleFactory(product=ProductFactory(category="Toys & Games"))
    url = reverse("admin:sales_sale_changelist")
    response = staff_client.get(url, {"category": "Books", "sold_at__year": "2025"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


@pytest.mark.parametrize("model", ["sale", "feedback"])
def test_big_lists_never_join_per_row(staff_client, model):
    """On MongoDB a join is a $lookup over every matching row: page first, then fetch names by id."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    book = ProductFactory(category="Books", name="Atlas of Rivers")
    customer = CustomerFactory(name="Zelda Quarry")
    for factory in (SaleFactory, FeedbackFactory):
        factory(product=book, customer=customer)
        factory()
    app = "sales" if model == "sale" else "feedback"
    url = reverse(f"admin:{app}_{model}_changelist")
    for params in ({}, {"category": "Books"}, {"q": "Atlas"}, {"q": "zelda"}):
        with CaptureQueriesContext(connection) as queries:
            response = staff_client.get(url, params)
        assert response.status_code == 200
        assert b"Atlas of Rivers" in response.content
        if params:
            assert response.context["cl"].result_count == 1
        joined = [q["sql"] for q in queries if f'FROM "{app}_{model}"' in q["sql"] and "JOIN" in q["sql"]]
        assert not joined, joined


def test_admin_add_sale_goes_through_the_service(staff_client):
    customer = CustomerFactory()
    product = ProductFactory(price=Decimal("10.00"))
    response = staff_client.post(reverse("admin:sales_sale_add"), {
        "customer": customer.pk, "product": product.pk, "quantity": 3, "unit_price": "7.50", "discount": "0.00",
        "sold_at_0": "2025-04-01", "sold_at_1": "10:00:00", "channel": "web", "status": "completed",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    sale = Sale.objects.get()
    assert sale.total == Decimal("22.50")


def test_admin_shows_validation_messages(staff_client):
    customer = CustomerFactory(joined_at=dt.datetime(2025, 6, 1, tzinfo=dt.UTC))
    product = ProductFactory()
    response = staff_client.post(reverse("admin:sales_sale_add"), {
        "customer": customer.pk, "product": product.pk, "quantity": 0, "unit_price": "7.50",
        "sold_at_0": "2025-01-01", "sold_at_1": "10:00:00", "channel": "web", "status": "completed",
    })
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert QUANTITY_MIN in errors["quantity"]
    assert not Sale.objects.exists()
    response = staff_client.post(reverse("admin:sales_sale_add"), {
        "customer": customer.pk, "product": product.pk, "quantity": 1, "unit_price": "7.50",
        "sold_at_0": "2025-01-01", "sold_at_1": "10:00:00", "channel": "web", "status": "completed",
    })
    assert response.context["adminform"].form.errors["sold_at"] == [
        SALE_BEFORE_JOIN.format(joined=customer.joined_at)
    ]


def test_admin_edit_recomputes_total(staff_client):
    sale = SaleFactory(quantity=1, unit_price=Decimal("4.00"), total=Decimal("4.00"))
    url = reverse("admin:sales_sale_change", args=[sale.pk])
    response = staff_client.post(url, {
        "customer": sale.customer.pk, "product": sale.product.pk, "quantity": 5, "unit_price": "4.00", "discount": "0",
        "sold_at_0": "2025-03-15", "sold_at_1": "12:00:00", "channel": "store", "status": "completed",
    })
    assert response.status_code == 302
    sale.refresh_from_db()
    assert (sale.quantity, sale.total, sale.channel) == (5, Decimal("20.00"), "store")


def test_refund_action(staff_client):
    sales = SaleFactory.create_batch(2)
    response = staff_client.post(reverse("admin:sales_sale_changelist"), {
        "action": "refund", "_selected_action": [s.pk for s in sales],
    })
    assert response.status_code == 302
    assert set(Sale.objects.values_list("status", flat=True)) == {Sale.Status.REFUNDED}


def test_autocomplete_finds_customers(staff_client):
    CustomerFactory(name="Zelda Quarry")
    response = staff_client.get(reverse("admin:autocomplete"), {
        "app_label": "sales", "model_name": "sale", "field_name": "customer", "term": "Zelda",
    })
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]][0].startswith("Zelda Quarry")


def test_protected_delete_is_refused_with_a_page_not_a_500(staff_client):
    sale = SaleFactory()
    response = staff_client.post(
        reverse("admin:catalog_product_delete", args=[sale.product.pk]), {"post": "yes"}
    )
    assert response.status_code == 200
    assert b"Cannot delete" in response.content or b"would require deleting" in response.content
    assert Sale.objects.filter(pk=sale.pk).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["=", "abc", "1.5", "99999999999999999999999"])
def test_a_sale_form_with_a_customer_that_is_no_id_redisplays_with_an_error(staff_client, value):
    # The autocomplete widget used to query the submitted value to show it again: a 500.
    response = staff_client.post("/admin/sales/sale/add/", {"customer": value, "product": value, "quantity": "1"})
    assert response.status_code == 200
    assert "customer" in response.context["adminform"].form.errors
