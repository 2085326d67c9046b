"""Hardening of the search box: one-sided date ranges, unknown parameters, dates out of the window."""

import datetime as dt

import pytest

from core.dates import FILTER_DATE_OUT_OF_RANGE, latest_date
from search.forms import UNKNOWN_PARAMETER

API = "/api/search/"


@pytest.fixture
def indexed(embedded_backend, dataset):
    embedded_backend.rebuild()
    return dataset


def ids(response, kind):
    assert response.status_code == 200, response.content
    return {r["id"] for r in response.json()["results"] if r["type"] == kind}


def test_a_start_without_an_end_and_an_end_without_a_start(analyst_client, indexed):
    d = indexed
    response = analyst_client.get(API, {"q": "espresso", "date_from": "2025-01-01"})
    assert ids(response, "sale") == {str(d.sale_espresso.pk)}
    assert ids(response, "product") == set()  # created in 2023
    response = analyst_client.get(API, {"q": "espresso", "date_to": "2024-01-01"})
    assert ids(response, "product") == {str(d.espresso.pk)}
    assert ids(response, "sale") == set()


@pytest.mark.parametrize(("params", "field"), [
    ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_from": "0001-01-01"}, "date_from"),
])
def test_filter_dates_outside_the_window_are_400_naming_the_field(analyst_client, indexed, params, field):
    response = analyst_client.get(API, {"q": "espresso", **params})
    assert response.status_code == 400
    assert response.json() == {
        field: [FILTER_DATE_OUT_OF_RANGE.format(earliest=dt.date(1900, 1, 1), latest=latest_date())]
    }


def test_unknown_parameters_are_400_naming_them(analyst_client, indexed):
    response = analyst_client.get(API, {"q": "espresso", "catgory": "Books", "date": "2025-01-01"})
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"catgory", "date"}
    assert body["catgory"][0].startswith(UNKNOWN_PARAMETER.split("{")[0])
    assert "date_from" in body["catgory"][0]
    assert analyst_client.get(API, {"q": "espresso", "format": "json"}).status_code == 200
