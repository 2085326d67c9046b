"""Feedback figures kept by the services, against hand-counted ratings."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.tests.factories import CustomerFactory
from analytics.figures import feedback as analytics
from catalog.services import product_update
from catalog.tests.factories import ProductFactory
from core.filters import DateRange
from feedback.services import feedback_create, feedback_delete, feedback_update

pytestmark = pytest.mark.django_db
D = dt.date


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.timezone.utc)


@pytest.fixture
def reviews():
    customer = CustomerFactory()
    mug = ProductFactory(category="Home", price=Decimal("6.00"))
    lamp = ProductFactory(category="Electronics", price=Decimal("30.00"))
    items = [
        feedback_create(customer=customer, product=mug, rating=5, created_at=at(D(2025, 4, 1))),
        feedback_create(customer=customer, product=mug, rating=3, created_at=at(D(2025, 4, 1), 23)),
        feedback_create(customer=customer, product=lamp, rating=1, created_at=at(D(2025, 4, 9))),
        feedback_create(customer=customer, product=lamp, rating=4, created_at=at(D(2025, 6, 30))),
    ]
    return {"mug": mug, "lamp": lamp, "items": items}


APRIL = DateRange(D(2025, 4, 1), D(2025, 4, 30))


def test_rating_distribution_counts_every_rating(reviews):
    assert [r["count"] for r in analytics.rating_distribution(date_range=APRIL)["rows"]] == [1, 0, 1, 0, 1]
    home = analytics.rating_distribution(date_range=APRIL, category="Home")
    assert [r["count"] for r in home["rows"]] == [0, 0, 1, 0, 1]


def test_average_rating_and_empty_range(reviews):
    assert analytics.average_rating(date_range=APRIL) == 3.0
    assert analytics.average_rating(date_range=DateRange(D(2024, 1, 1), D(2024, 1, 31))) is None


def test_average_rating_over_time_by_day_and_week(reviews):
    days = analytics.average_rating_over_time(date_range=DateRange(D(2025, 4, 1), D(2025, 4, 3)))
    assert days == {"bucket": "day", "points": [
        {"period": "2025-04-01", "average_rating": 4.0, "count": 2},
        {"period": "2025-04-02", "average_rating": None, "count": 0},
        {"period": "2025-04-03", "average_rating": None, "count": 0},
    ]}
    weeks = analytics.average_rating_over_time(date_range=DateRange(D(2025, 3, 1), D(2025, 6, 30)))
    assert weeks["bucket"] == "week"
    by_period = {p["period"]: p for p in weeks["points"]}
    assert by_period["2025-03-31"] == {"period": "2025-03-31", "average_rating": 4.0, "count": 2}
    assert by_period["2025-04-07"] == {"period": "2025-04-07", "average_rating": 1.0, "count": 1}
    assert by_period["2025-06-30"]["count"] == 1


def test_feedback_per_month_after_edits(reviews):
    first, second, third, _ = reviews["items"]
    feedback_update(feedback=first, data={"rating": 2})
    feedback_update(feedback=second, data={"created_at": at(D(2025, 5, 2))})
    feedback_delete(feedback=third)
    result = analytics.feedback_per_month(date_range=DateRange())
    assert result == {"bucket": "month", "points": [
        {"period": "2025-04-01", "count": 1, "average_rating": 2.0},
        {"period": "2025-05-01", "count": 1, "average_rating": 3.0},
        {"period": "2025-06-01", "count": 1, "average_rating": 4.0},
    ]}


def test_category_change_moves_the_feedback(reviews):
    product_update(product=reviews["lamp"], data={"category": "Home"})
    assert analytics.rating_distribution(date_range=APRIL, category="Electronics")["rows"][0]["count"] == 0
    assert [r["count"] for r in analytics.rating_distribution(date_range=APRIL, category="Home")["rows"]] == [
        1, 0, 1, 0, 1,
    ]
