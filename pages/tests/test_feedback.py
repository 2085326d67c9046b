"""/feedback/table/ and the feedback page."""

import datetime as dt

import pytest

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from feedback.tests.factories import FeedbackFactory

UTC = dt.timezone.utc
URL = "/feedback/table/"
GIVEN, PRODUCT, CUSTOMER, RATING, COMMENT = range(5)


@pytest.fixture
def feedback(db):
    # Names and brands are fixed: the search below must not match a random Faker brand.
    lamp = ProductFactory(name="Desk Lamp", brand="Lumen", category="Home & Kitchen")
    phones = ProductFactory(name="Headphones", brand="Sonic", category="Electronics")
    ana = CustomerFactory(name="Ana Lima")
    bruno = CustomerFactory(name="Bruno Kraus")
    rows = [
        FeedbackFactory(product=lamp, customer=ana, rating=5, comment="Bright and warm",
                        created_at=dt.datetime(2025, 3, 5, tzinfo=UTC)),
        FeedbackFactory(product=phones, customer=bruno, rating=2, comment="Too tight",
                        created_at=dt.datetime(2025, 3, 12, tzinfo=UTC)),
        FeedbackFactory(product=phones, customer=ana, rating=4, comment="Good bass",
                        created_at=dt.datetime(2025, 4, 1, tzinfo=UTC)),
    ]
    return {"lamp": lamp, "phones": phones, "ana": ana, "bruno": bruno, "rows": rows}


def comments(client, **params) -> list[str]:
    response = client.get(URL, params)
    assert response.status_code == 200, response.content
    return [row["comment"] for row in response.json()["data"]]


def test_newest_first_with_stars_and_links(analyst_client, feedback):
    body = analyst_client.get(URL).json()
    assert [r["comment"] for r in body["data"]] == ["Good bass", "Too tight", "Bright and warm"]
    assert body["data"][0]["rating"] == 4
    assert body["data"][0]["created_at_url"] == feedback["rows"][2].get_absolute_url()
    assert body["data"][0]["product_url"] == feedback["phones"].get_absolute_url()


def test_filters_search_and_sort(analyst_client, feedback):
    assert comments(analyst_client, date_to="2025-03-31", category="Electronics") == ["Too tight"]
    assert comments(analyst_client, rating_min=4) == ["Good bass", "Bright and warm"]
    ana, phones = feedback["ana"].pk, feedback["phones"].pk
    assert comments(analyst_client, customer=ana, product=phones) == ["Good bass"]
    assert comments(analyst_client, **{"search[value]": "bass"}) == ["Good bass"]
    assert comments(analyst_client, **{"order[0][column]": RATING, "order[0][dir]": "asc"}) == [
        "Too tight", "Good bass", "Bright and warm",
    ]


def test_comment_is_not_sortable_and_a_reversed_rating_range_is_a_400(analyst_client, feedback):
    assert analyst_client.get(URL, {"order[0][column]": COMMENT}).status_code == 400
    response = analyst_client.get(URL, {"rating_min": 5, "rating_max": 1})
    assert response.status_code == 400 and response.json()["field"] == "rating"


def test_feedback_page_and_chips(analyst_client, feedback):
    row = feedback["rows"][1]
    page = analyst_client.get(row.get_absolute_url()).content.decode()
    assert "Too tight" in page and "Bruno Kraus" in page and "2 of 5" in page
    response = analyst_client.get("/feedback/", {"product": feedback["phones"].pk, "rating_max": 3})
    assert [(c["label"], c["value"]) for c in response.context["extra_chips"]] == [
        ("Product", "Headphones"), ("Rating up to", "3"),
    ]


def test_a_page_costs_the_same_queries_whatever_its_length(analyst_client, feedback):
    """Each row names its product and customer: loaded once per page, not once per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    total = len(comments(analyst_client))

    def queries(length):
        with CaptureQueriesContext(connection) as captured:
            assert len(comments(analyst_client, length=length)) == length
        return len(captured)

    assert total > 1
    assert queries(total) == queries(1)
