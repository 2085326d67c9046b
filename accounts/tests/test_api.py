"""/api/users/: the shop's customers — filters, ordering, page numbers, CSV, writes through services."""

import csv
import datetime as dt
import io

import pytest
from django.core.cache import cache

from accounts.models import Customer
from accounts.services import CUSTOMER_HAS_RECORDS
from accounts.tests.factories import CustomerFactory
from core.api.pagination import PAGE_SIZE_INVALID
from core.filters import DATE_ORDER
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db
URL = "/api/users/"


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


def joined(day):
    return dt.datetime(2025, 3, day, 12, tzinfo=dt.UTC)


def names(response):
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_rows_have_string_ids_and_urls(analyst_client):
    customer = CustomerFactory(name="Ana", city="Lisbon", latitude=38.7, longitude=-9.1)
    row = analyst_client.get(URL).json()["results"][0]
    assert row == {
        "id": str(customer.pk), "url": f"http://testserver{URL}{customer.pk}/", "name": "Ana",
        "email": customer.email, "address": customer.address, "city": "Lisbon", "country": customer.country,
        "latitude": 38.7, "longitude": -9.1, "joined_at": "2024-01-01T00:00:00Z",
    }
    assert analyst_client.get(row["url"]).json() == row


def test_filters_by_city_country_and_join_dates(analyst_client):
    CustomerFactory(name="A", city="Lisbon", country="PT", joined_at=joined(1))
    CustomerFactory(name="B", city="Porto", country="PT", joined_at=joined(10))
    CustomerFactory(name="C", city="Berlin", country="DE", joined_at=joined(20))
    assert names(analyst_client.get(URL, {"city": "lisbon"})) == ["A"]
    assert names(analyst_client.get(URL, {"country": "PT"})) == ["A", "B"]
    assert names(analyst_client.get(URL, {"date_from": "2025-03-10"})) == ["B", "C"]
    assert names(analyst_client.get(URL, {"date_to": "2025-03-10"})) == ["A", "B"]
    assert names(analyst_client.get(URL, {"date_from": "2025-03-02", "date_to": "2025-03-19"})) == ["B"]


def test_search_matches_name_email_and_city(analyst_client):
    CustomerFactory(name="Zoe Quinn", email="zq@example.com", city="Oslo")
    CustomerFactory(name="Bob", email="bob@quinnmail.org", city="Rome")
    CustomerFactory(name="Carl", email="c@example.com", city="Quincy")
    CustomerFactory(name="Dan", email="d@example.com", city="Paris")
    assert names(analyst_client.get(URL, {"search": "QUIN"})) == ["Bob", "Carl", "Zoe Quinn"]


@pytest.mark.parametrize("ordering, expected", [
    ("name", ["A", "B", "C"]), ("-name", ["C", "B", "A"]),
    ("joined_at", ["B", "C", "A"]), ("-joined_at", ["A", "C", "B"]),
    ("city", ["C", "A", "B"]), ("-country", ["A", "B", "C"]),
])
def test_ordering(analyst_client, ordering, expected):
    CustomerFactory(name="A", city="Oslo", country="NO", joined_at=joined(9))
    CustomerFactory(name="B", city="Paris", country="FR", joined_at=joined(1))
    CustomerFactory(name="C", city="Berlin", country="DE", joined_at=joined(5))
    assert names(analyst_client.get(URL, {"ordering": ordering})) == expected


@pytest.mark.parametrize("params, field", [
    ({"date_from": "2025-02-30"}, "date_from"),
    ({"date_to": "yesterday"}, "date_to"),
    ({"ordering": "password"}, "ordering"),
    ({"ordering": "name,city"}, "ordering"),
    ({"search": "x" * 101}, "search"),
    ({"cityy": "Lisbon"}, "cityy"),
    ({"cursor": "abc"}, "cursor"),
    ({"page_size": "ten"}, "page_size"),
    ({"page_size": "0"}, "page_size"),
])
def test_bad_parameters_are_400_naming_them(analyst_client, params, field):
    response = analyst_client.get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_date_from_after_date_to_is_rejected(analyst_client):
    response = analyst_client.get(URL, {"date_from": "2025-03-10", "date_to": "2025-03-01"})
    assert response.status_code == 400
    assert response.json() == {"date_to": [DATE_ORDER]}


def test_page_numbers_page_size_and_cap(analyst_client, settings):
    for i in range(7):
        CustomerFactory(name=f"C{i}")
    first = analyst_client.get(URL, {"page_size": 3}).json()
    assert first["count"] == 7
    assert [r["name"] for r in first["results"]] == ["C0", "C1", "C2"]
    third = analyst_client.get(first["next"]).json()
    third = analyst_client.get(third["next"]).json()
    assert [r["name"] for r in third["results"]] == ["C6"]
    assert third["next"] is None
    assert analyst_client.get(URL, {"page": 4, "page_size": 3}).status_code == 404
    settings.API_MAX_PAGE_SIZE = 4
    assert len(analyst_client.get(URL, {"page_size": 100}).json()["results"]) == 4


def test_page_size_error_says_the_cap(analyst_client, settings):
    settings.API_MAX_PAGE_SIZE = 4
    response = analyst_client.get(URL, {"page_size": "-1"})
    assert response.json() == {"page_size": [PAGE_SIZE_INVALID.format(max=4)]}


def test_csv_equals_the_json_rows_of_every_page(analyst_client):
    for i in range(5):
        CustomerFactory(name=f"C{i}", city="Lisbon" if i % 2 else "Oslo", latitude=None)
    params = {"city": "lisbon", "ordering": "-name"}
    json_rows = analyst_client.get(URL, {**params, "page_size": 1}).json()
    rows = json_rows["results"]
    while json_rows["next"]:
        json_rows = analyst_client.get(json_rows["next"]).json()
        rows += json_rows["results"]
    response = analyst_client.get(URL, {**params, "format": "csv", "page_size": 1})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="users-')
    exported = csv_rows(response)
    assert [r["name"] for r in exported] == ["C3", "C1"]
    assert exported == [{k: "" if v is None else str(v) for k, v in row.items()} for row in rows]


def test_csv_defuses_spreadsheet_formulas(analyst_client):
    CustomerFactory(name="=HYPERLINK(\"http://evil\")", longitude=-9.5)
    row = csv_rows(analyst_client.get(URL, {"format": "csv"}))[0]
    assert row["name"] == "'=HYPERLINK(\"http://evil\")"
    assert row["longitude"] == "-9.5"  # numbers keep their sign


def test_csv_errors_are_json(analyst_client):
    response = analyst_client.get(URL, {"format": "csv", "date_from": "soon"})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "date_from" in response.json()


def test_unknown_and_malformed_ids_are_404(analyst_client):
    assert analyst_client.get(f"{URL}999999/").status_code == 404
    assert analyst_client.get(f"{URL}not-an-id/").status_code == 404


# --- writes ------------------------------------------------------------------------------------


def test_staff_create_update_delete(staff_client):
    body = {"name": "Nia", "email": "nia@example.com", "city": "Faro", "country": "PT"}
    response = staff_client.post(URL, body, content_type="application/json")
    assert response.status_code == 201, response.content
    created = Customer.objects.get(email="nia@example.com")
    assert response.json()["id"] == str(created.pk)
    assert created.joined_at is not None  # the service stamps it
    url = response.json()["url"]
    response = staff_client.patch(url, {"city": "Braga"}, content_type="application/json")
    assert response.json()["city"] == "Braga"
    assert staff_client.delete(url).status_code == 204
    assert not Customer.objects.filter(pk=created.pk).exists()


@pytest.mark.parametrize("body, field", [
    ({"name": "X", "email": "not-an-email", "city": "A", "country": "B"}, "email"),
    ({"name": "X", "email": "x@example.com", "city": "A", "country": "B", "latitude": 91}, "latitude"),
    ({"email": "x@example.com", "city": "A", "country": "B"}, "name"),
])
def test_invalid_writes_are_400_naming_the_field(staff_client, body, field):
    response = staff_client.post(URL, body, content_type="application/json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Customer.objects.exists()


def test_duplicate_email_is_400(staff_client):
    CustomerFactory(email="dup@example.com")
    response = staff_client.post(URL, {"name": "X", "email": "dup@example.com", "city": "A", "country": "B"},
                                 content_type="application/json")
    assert response.status_code == 400
    assert "email" in response.json()


def test_deleting_a_customer_with_sales_is_409_with_the_services_message(staff_client):
    sale = SaleFactory()
    response = staff_client.delete(f"{URL}{sale.customer.pk}/")
    assert response.status_code == 409
    assert response.json() == {"detail": CUSTOMER_HAS_RECORDS}
    assert Customer.objects.filter(pk=sale.customer.pk).exists()
