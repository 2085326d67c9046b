"""Cached /api/search/ answers (core.api.cache) follow the index, not only the database: a drain of
queued updates and a rebuild show on the very next search."""

from unittest import mock

import pytest
from django.core.management import call_command

from catalog.models import Product
from catalog.services import product_update
from search import sync
from search.backends import SearchUnavailable


@pytest.fixture(autouse=True)
def response_cache(settings):
    settings.API_RESPONSE_CACHE_ENTRIES = 64  # off in the other tests (settings/test.py)


@pytest.fixture
def indexed(embedded_backend, dataset):
    embedded_backend.rebuild()
    return dataset


def titles(client, q) -> tuple[set[str], str]:
    """The products found (their sales and feedback carry the name too), and the cache's answer."""
    response = client.get("/api/search/", {"q": q})
    assert response.status_code == 200, response.content
    products = {hit["title"] for hit in response.json()["results"] if hit["type"] == "product"}
    return products, response["X-Cache"]


def test_a_drain_of_queued_updates_shows_on_the_next_search(
    analyst_client, indexed, django_capture_on_commit_callbacks
):
    assert titles(analyst_client, "harbour") == (set(), "miss")
    assert titles(analyst_client, "harbour") == (set(), "hit")
    with mock.patch("search.sync.apply", side_effect=SearchUnavailable("down")):  # so it is queued
        with django_capture_on_commit_callbacks(execute=True):
            product_update(product=indexed.shoes, data={"name": "Harbour Sandals"})
    assert sync.pending_count() == 1
    # The write moved the rollups' version; the index has not changed yet, and the answer says so.
    assert titles(analyst_client, "harbour") == (set(), "miss")
    assert titles(analyst_client, "harbour") == (set(), "hit")
    assert sync.drain() == 1
    assert titles(analyst_client, "harbour") == ({"Harbour Sandals"}, "miss")


def test_an_update_applied_after_the_write_shows_on_the_next_search(
    analyst_client, indexed, django_capture_on_commit_callbacks
):
    titles(analyst_client, "harbour")
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=indexed.shoes, data={"name": "Harbour Sandals"})
    assert titles(analyst_client, "harbour") == ({"Harbour Sandals"}, "miss")


def test_a_rebuild_shows_on_the_next_search_even_when_the_database_version_did_not_move(
    analyst_client, indexed
):
    Product.objects.filter(pk=indexed.shoes.pk).update(name="Harbour Sandals")  # past the services
    titles(analyst_client, "harbour")
    assert titles(analyst_client, "harbour") == (set(), "hit")
    call_command("search_index", "--rebuild", "-f", stdout=open("/dev/null", "w"))
    assert titles(analyst_client, "harbour") == ({"Harbour Sandals"}, "miss")


def test_autocomplete_follows_the_index_too(analyst_client, indexed, django_capture_on_commit_callbacks):
    def texts():
        response = analyst_client.get("/api/search/autocomplete/", {"q": "harb"})
        return {s["text"] for s in response.json()["suggestions"]}, response["X-Cache"]

    assert texts() == (set(), "miss")
    assert texts() == (set(), "hit")
    with django_capture_on_commit_callbacks(execute=True):
        product_update(product=indexed.shoes, data={"name": "Harbour Sandals"})
    assert texts() == ({"Harbour Sandals"}, "miss")
