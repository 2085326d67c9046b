"""/users/table/ and the customer page."""

import datetime as dt

import pytest

from accounts.tests.factories import CustomerFactory

UTC = dt.timezone.utc
URL = "/users/table/"
NAME, EMAIL, CITY, COUNTRY, JOINED = range(5)


@pytest.fixture
def customers(db):
    return {
        "ana": CustomerFactory(name="Ana Lima", email="ana@shop.test", city="Lisbon", country="PT",
                               joined_at=dt.datetime(2025, 1, 10, tzinfo=UTC)),
        "bruno": CustomerFactory(name="Bruno Kraus", email="bruno@shop.test", city="Berlin", country="DE",
                                 joined_at=dt.datetime(2025, 3, 2, tzinfo=UTC)),
        "carla": CustomerFactory(name="Carla Sousa", email="carla@mail.test", city="Lisbon", country="PT",
                                 joined_at=dt.datetime(2025, 3, 20, tzinfo=UTC)),
    }


def names(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["data"]]


def test_lists_customers_by_name_with_links(analyst_client, customers):
    response = analyst_client.get(URL, {"draw": 1})
    body = response.json()
    assert [r["name"] for r in body["data"]] == ["Ana Lima", "Bruno Kraus", "Carla Sousa"]
    assert body["data"][0] == {
        "name": "Ana Lima", "name_url": customers["ana"].get_absolute_url(), "email": "ana@shop.test",
        "city": "Lisbon", "country": "PT", "joined_at": "2025-01-10T00:00:00+00:00",
    }


def test_dates_filter_the_join_date_and_category_does_not_apply(analyst_client, customers):
    march = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
    assert names(analyst_client, **march) == ["Bruno Kraus", "Carla Sousa"]
    # Customers have no category: the parameter narrows nothing.
    assert names(analyst_client, category="Books") == ["Ana Lima", "Bruno Kraus", "Carla Sousa"]


def test_city_filter_search_and_sort(analyst_client, customers):
    assert names(analyst_client, city="lisbon") == ["Ana Lima", "Carla Sousa"]
    assert names(analyst_client, **{"search[value]": "mail.test"}) == ["Carla Sousa"]
    assert names(analyst_client, **{"order[0][column]": JOINED, "order[0][dir]": "desc"}) == [
        "Carla Sousa", "Bruno Kraus", "Ana Lima",
    ]
    assert names(analyst_client, **{"order[0][column]": CITY, "order[0][dir]": "asc"})[0] == "Bruno Kraus"


def test_users_page_has_no_category_choice_and_shows_the_city_chip(analyst_client, customers):
    response = analyst_client.get("/users/", {"city": "Lisbon", "category": "Books"})
    page = response.content.decode()
    assert 'name="category"' not in page
    assert [c["value"] for c in response.context["extra_chips"]] == ["Lisbon"]
    assert response.context["table"]["config"]["params"] == {"city": "Lisbon"}


def test_customer_page(analyst_client, customers):
    ana = customers["ana"]
    response = analyst_client.get(ana.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "Ana Lima" in page and "ana@shop.test" in page
    assert response.context["orders_table"]["config"]["params"] == {"customer": str(ana.pk)}
    # Their own name is not repeated in every row of their tables.
    hidden = [c["name"] for c in response.context["orders_table"]["config"]["columns"] if not c["visible"]]
    assert hidden == ["customer"]
