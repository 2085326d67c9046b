"""Customer figures kept by the services: joins per period and per city; category is not applied."""

import datetime as dt

import pytest

from accounts.services import customer_create, customer_delete, customer_update
from analytics.figures import customers as analytics
from core.filters import DateRange

pytestmark = pytest.mark.django_db
D = dt.date


def joined(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(18), tzinfo=dt.timezone.utc)


@pytest.fixture
def people():
    def make(n, city, country, day):
        return customer_create(name=f"P{n}", email=f"p{n}@example.com", city=city, country=country,
                               latitude=10.0, longitude=20.0, joined_at=joined(day))

    return [
        make(1, "Lisbon", "PT", D(2025, 5, 1)),
        make(2, "Lisbon", "PT", D(2025, 5, 1)),
        make(3, "Osaka", "JP", D(2025, 5, 7)),
        make(4, "Lima", "PE", D(2025, 8, 1)),
    ]


MAY = DateRange(D(2025, 5, 1), D(2025, 5, 31))


def test_new_customers(people):
    assert analytics.new_customers(date_range=MAY) == 3
    assert analytics.new_customers(date_range=DateRange()) == 4


def test_new_customers_over_time_ignores_category(people):
    week = DateRange(D(2025, 5, 1), D(2025, 5, 7))
    result = analytics.new_customers_over_time(date_range=week, category="Books")
    assert result["category_applied"] is False
    assert [p["count"] for p in result["points"]] == [2, 0, 0, 0, 0, 0, 1]
    everything = analytics.new_customers_over_time(date_range=DateRange())
    assert everything["bucket"] == "week"
    assert everything["points"][0] == {"period": "2025-04-28", "count": 2}
    assert sum(p["count"] for p in everything["points"]) == 4


def test_customers_per_city_after_a_move_and_a_delete(people):
    assert analytics.customers_per_city(date_range=MAY) == {"rows": [
        {"city": "Lisbon", "country": "PT", "count": 2}, {"city": "Osaka", "country": "JP", "count": 1},
    ], "category_applied": False}
    customer_update(customer=people[0], data={"city": "Osaka", "country": "JP"})
    customer_update(customer=people[3], data={"joined_at": joined(D(2025, 5, 20))})
    customer_delete(customer=people[1])
    assert analytics.customers_per_city(date_range=MAY, category="Books")["rows"] == [
        {"city": "Osaka", "country": "JP", "count": 2}, {"city": "Lima", "country": "PE", "count": 1},
    ]
    assert analytics.customers_per_city(date_range=DateRange(D(2024, 1, 1), D(2024, 1, 2)))["rows"] == []
