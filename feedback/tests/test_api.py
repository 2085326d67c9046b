"""/api/feedback/: filters, ordering by rating with cursor pages, CSV, writes through services."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from feedback.models import FEEDBACK_BEFORE_JOIN, RATING_RANGE, Feedback
from feedback.tests.factories import FeedbackFactory

pytestmark = pytest.mark.django_db
URL = "/api/feedback/"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


def at(day, hour=12):
    return dt.datetime(2025, 3, day, hour, tzinfo=dt.UTC)


def ids(response):
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def feedback():
    lamp = ProductFactory(name="Desk lamp", category="Home & Kitchen")
    book = ProductFactory(name="Novel", category="Books")
    ana, bob = CustomerFactory(name="Ana"), CustomerFactory(name="Bob")
    return {
        "f1": FeedbackFactory(product=lamp, customer=ana, rating=1, created_at=at(1),
                              comment="Broke in a week"),
        "f2": FeedbackFactory(product=lamp, customer=bob, rating=5, created_at=at(4), comment="Bright"),
        "f3": FeedbackFactory(product=book, customer=ana, rating=3, created_at=at(8), comment="Slow start"),
        "f4": FeedbackFactory(product=book, customer=bob, rating=5, created_at=at(12), comment="Loved it"),
        "lamp": lamp, "book": book, "ana": ana, "bob": bob,
    }


def expect(records, *names):
    return [str(records[n].pk) for n in names]


def test_rows_carry_names_without_a_query_per_row(analyst_client, feedback):
    row = analyst_client.get(URL).json()["results"][-1]
    assert row == {
        "id": str(feedback["f1"].pk), "url": f"http://testserver{URL}{feedback['f1'].pk}/",
        "created_at": "2025-03-01T12:00:00Z", "product": str(feedback["lamp"].pk),
        "product_name": "Desk lamp", "category": "Home & Kitchen", "customer": str(feedback["ana"].pk),
        "customer_name": "Ana", "rating": 1,
        "comment": "Broke in a week", "external_id": "", "product_sku": feedback["lamp"].sku,
        "customer_email": feedback["ana"].email,
    }
    with CaptureQueriesContext(connection) as few:
        analyst_client.get(URL)
    for _ in range(20):
        FeedbackFactory()
    with CaptureQueriesContext(connection) as many:
        assert len(analyst_client.get(URL).json()["results"]) == 24
    assert len(many) == len(few)


@pytest.mark.parametrize("params, expected", [
    ({}, ["f4", "f3", "f2", "f1"]),
    ({"rating_min": "3"}, ["f4", "f3", "f2"]),
    ({"rating_max": "3"}, ["f3", "f1"]),
    ({"rating_min": "5", "rating_max": "5"}, ["f4", "f2"]),
    ({"date_from": "2025-03-04", "date_to": "2025-03-08"}, ["f3", "f2"]),
    ({"category": "Books"}, ["f4", "f3"]),
    ({"search": "week"}, ["f1"]),  # comment
    ({"search": "novel"}, ["f4", "f3"]),  # product name
    ({"search": "bob"}, ["f4", "f2"]),  # customer name
])
def test_filters(analyst_client, feedback, params, expected):
    assert ids(analyst_client.get(URL, params)) == expect(feedback, *expected)


def test_filters_by_product_and_customer(analyst_client, feedback):
    assert ids(analyst_client.get(URL, {"product": feedback["lamp"].pk})) == expect(feedback, "f2", "f1")
    assert ids(analyst_client.get(URL, {"customer": feedback["ana"].pk})) == expect(feedback, "f3", "f1")


@pytest.mark.parametrize("params, field", [
    ({"rating_min": "five"}, "rating"),
    ({"rating_min": "5", "rating_max": "1"}, "rating"),
    ({"date_to": "2025-02-29"}, "date_to"),
    ({"product": "abc"}, "product"),
    ({"ordering": "comment"}, "ordering"),
    ({"rating": "5"}, "rating"),  # the range is rating_min / rating_max
])
def test_bad_values_are_400_naming_the_field(analyst_client, feedback, params, field):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_ordering_by_rating_pages_through_ties_by_cursor(analyst_client):
    records = [FeedbackFactory(rating=1 + i % 3) for i in range(10)]
    # Rating descending, ties by id descending (integers on SQLite, ObjectIds on MongoDB).
    by_id = sorted(records, key=lambda f: f.pk, reverse=True)
    expected = [str(f.pk) for f in sorted(by_id, key=lambda f: -f.rating)]
    page = analyst_client.get(URL, {"ordering": "-rating", "page_size": 3}).json()
    seen = [r["id"] for r in page["results"]]
    while page["next"]:
        page = analyst_client.get(page["next"]).json()
        seen += [r["id"] for r in page["results"]]
    assert seen == expected


def test_csv_matches_json(analyst_client, feedback):
    json_rows = analyst_client.get(URL, {"category": "Home & Kitchen"}).json()["results"]
    response = analyst_client.get(URL, {"category": "Home & Kitchen", "format": "csv"})
    exported = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert exported == [{k: str(v) for k, v in row.items()} for row in json_rows]


def test_create_update_delete(staff_client):
    product, customer = ProductFactory(), CustomerFactory()
    response = staff_client.post(URL, {"product": str(product.pk), "customer": str(customer.pk), "rating": 4,
                                       "comment": "Fine"}, content_type="application/json")
    assert response.status_code == 201, response.content
    url = response.json()["url"]
    assert staff_client.patch(url, {"rating": 2}, content_type="application/json").json()["rating"] == 2
    assert Feedback.objects.get().rating == 2
    assert staff_client.delete(url).status_code == 204
    assert not Feedback.objects.exists()


def test_invalid_feedback_is_400_with_the_models_messages(staff_client):
    product, customer = ProductFactory(), CustomerFactory(joined_at=at(10))
    body = {"product": str(product.pk), "customer": str(customer.pk)}
    response = staff_client.post(URL, {**body, "rating": 6}, content_type="application/json")
    assert response.json() == {"rating": [RATING_RANGE]}
    response = staff_client.post(URL, {**body, "rating": 3, "created_at": "2025-03-01T00:00:00Z"},
                                 content_type="application/json")
    assert response.json() == {"created_at": [FEEDBACK_BEFORE_JOIN.format(joined=customer.joined_at)]}
    assert not Feedback.objects.exists()
