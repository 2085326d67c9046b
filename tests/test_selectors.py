"""The shared selectors: same parameter names as the API and pages, bad values rejected by field."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from accounts.selectors import customer_list
from accounts.tests.factories import CustomerFactory
from catalog.selectors import category_list, product_list
from catalog.tests.factories import ProductFactory
from core.filters import DATE_ORDER
from feedback.selectors import feedback_list
from feedback.tests.factories import FeedbackFactory
from sales.selectors import sale_list
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


def at(day, hour=12):
    return dt.datetime(2025, 3, day, hour, tzinfo=dt.UTC)


def test_date_range_is_inclusive_whole_days():
    early, inside, last_minute, after = (SaleFactory(sold_at=t) for t in
                                         (at(9, 23), at(10, 0), at(12, 23).replace(minute=59), at(13, 0)))
    ids = set(sale_list(filters={"date_from": "2025-03-10", "date_to": "2025-03-12"}).values_list("pk", flat=True))
    assert ids == {inside.pk, last_minute.pk}


def test_category_filters_sales_and_feedback():
    book = ProductFactory(category="Books")
    SaleFactory(product=book)
    SaleFactory(product=ProductFactory(category="Toys & Games"))
    FeedbackFactory(product=book)
    assert [s.product.category for s in sale_list(filters={"category": "Books"})] == ["Books"]
    assert feedback_list(filters={"category": "Books"}).count() == 1
    assert sale_list(filters={"category": "Nope"}).count() == 0


def test_ranges_and_choices():
    SaleFactory(quantity=1, channel="web")
    SaleFactory(quantity=5, channel="store")
    assert sale_list(filters={"quantity_min": "2"}).get().quantity == 5
    assert sale_list(filters={"channel": "store"}).get().channel == "store"
    ProductFactory(price=Decimal("5.00"))
    ProductFactory(price=Decimal("50.00"))
    assert [p.price for p in product_list(filters={"price_min": "30", "price_max": "60"})] == [Decimal("50.00")]
    FeedbackFactory(rating=2)
    FeedbackFactory(rating=5)
    assert [f.rating for f in feedback_list(filters={"rating_min": "4"})] == [5]
    CustomerFactory(city="Faro")
    assert customer_list(filters={"city": "faro"}).count() == 1
    ProductFactory(active=False)
    assert product_list(filters={"active": "false"}).get().active is False


@pytest.mark.parametrize(
    "selector, filters, field",
    [
        (sale_list, {"date_from": "yesterday"}, "date_from"),
        (sale_list, {"quantity_min": "lots"}, "quantity"),
        (sale_list, {"channel": "fax"}, "channel"),
        (sale_list, {"product": "999999"}, "product"),
        (product_list, {"price_min": "cheap"}, "price"),
        (product_list, {"active": "perhaps"}, "active"),
        (feedback_list, {"rating_max": "five"}, "rating"),
        (customer_list, {"date_to": "2025-13-01"}, "date_to"),
    ],
)
def test_bad_values_raise_naming_the_field(selector, filters, field):
    with pytest.raises(ValidationError) as exc:
        list(selector(filters=filters))
    assert field in exc.value.message_dict


def test_date_from_after_date_to_is_rejected():
    with pytest.raises(ValidationError) as exc:
        sale_list(filters={"date_from": "2025-03-10", "date_to": "2025-03-01"})
    assert exc.value.message_dict["date_to"] == [DATE_ORDER]


def test_category_list_is_sorted_and_distinct():
    for category in ["Toys & Games", "Books", "Books"]:
        ProductFactory(category=category)
    assert category_list() == ["Books", "Toys & Games"]


@pytest.mark.parametrize("pk", ["abc", "12abc", "", None, "6b089e79c699162e44196317"])
def test_get_selectors_return_none_for_unknown_or_malformed_ids(pk):
    from accounts.selectors import customer_get
    from catalog.selectors import product_get
    from feedback.selectors import feedback_get
    from sales.selectors import sale_get

    SaleFactory()
    assert [get(pk=pk) for get in (customer_get, product_get, sale_get, feedback_get)] == [None] * 4
