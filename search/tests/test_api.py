"""/api/search/, /api/search/autocomplete/ and the /search/ page (embedded backend)."""

import pytest
from django.urls import reverse

from search.forms import MAX_QUERY_CHARS, PRICE_ORDER, RATING_ORDER, TOO_DEEP, TOO_MANY_TERMS
from search.permissions import NOT_ANALYST

API = "/api/search/"
AUTOCOMPLETE = "/api/search/autocomplete/"
PAGE = "/search/"


@pytest.fixture
def indexed(embedded_backend, dataset):
    embedded_backend.rebuild()
    return dataset


def test_urls_are_named():
    assert reverse("search:page") == PAGE
    assert reverse("search:api") == API
    assert reverse("search:autocomplete") == AUTOCOMPLETE


def test_api_shape(analyst_client, indexed):
    body = analyst_client.get(API, {"q": "espresso"}).json()
    assert body["count"] == 3
    assert body["next"] is None and body["previous"] is None
    first = body["results"][0]
    assert first["type"] == "product" and first["id"] == str(indexed.espresso.pk)
    assert first["title"] == "Espresso Machine Deluxe"
    assert "<mark>Espresso</mark>" in first["snippets"]["title"]
    assert first["url"]
    assert {"value": "product", "count": 1} in body["facets"]["type"]
    assert {f["value"] for f in body["facets"]["category"]} == {"Home & Kitchen"}


def test_hit_links_to_the_record(analyst_client, indexed):
    body = analyst_client.get(API, {"q": "espresso", "type": "product"}).json()
    url = body["results"][0]["url"]
    from django.urls import NoReverseMatch

    try:
        expected = indexed.espresso.get_absolute_url()
    except NoReverseMatch:  # the record pages are not there yet: the admin page instead
        expected = reverse("admin:catalog_product_change", args=[indexed.espresso.pk])
    assert url == expected


def test_api_paging_links(analyst_client, indexed):
    body = analyst_client.get(API, {"page_size": 5, "sort": "newest"}).json()
    assert body["count"] == 13 and len(body["results"]) == 5 and body["num_pages"] == 3
    assert "page=2" in body["next"] and body["previous"] is None
    last = analyst_client.get(body["next"].replace("page=2", "page=3")).json()
    assert len(last["results"]) == 3 and last["next"] is None and "page=2" in last["previous"]


def test_api_filters(analyst_client, indexed):
    body = analyst_client.get(API, {"type": ["sale", "feedback"], "category": "Shoes"}).json()
    assert {(r["type"], r["id"]) for r in body["results"]} == indexed.keys(
        indexed.sale_shoes, indexed.fb_shoes
    )
    body = analyst_client.get(API, {"rating_min": 5}).json()
    assert [r["id"] for r in body["results"]] == [str(indexed.fb_espresso.pk)]
    body = analyst_client.get(
        API, {"date_from": "2025-03-01", "date_to": "2025-03-31", "type": "sale"}
    ).json()
    assert [r["id"] for r in body["results"]] == [str(indexed.sale_headphones.pk)]


@pytest.mark.parametrize(
    "params, field, message",
    [
        ({"rating_min": 9}, "rating_min", None),
        ({"rating_min": 4, "rating_max": 2}, "rating_max", RATING_ORDER),
        ({"price_min": 50, "price_max": 10}, "price_max", PRICE_ORDER),
        ({"price_min": "cheap"}, "price_min", None),
        ({"type": "invoice"}, "type", None),
        ({"sort": "random"}, "sort", None),
        ({"page": 0}, "page", None),
        ({"page": 501, "page_size": 20}, "page", TOO_DEEP),
        ({"page_size": 1000}, "page_size", None),
        ({"date_from": "2025-13-01"}, "date_from", None),
        ({"q": "x" * (MAX_QUERY_CHARS + 1)}, "q", None),
        ({"q": " ".join(f"word{i}" for i in range(40))}, "q", TOO_MANY_TERMS),
    ],
)
def test_api_bad_input_is_400_naming_the_field(analyst_client, indexed, params, field, message):
    resp = analyst_client.get(API, params)
    assert resp.status_code == 400
    assert field in resp.json()
    if message:
        assert message in resp.json()[field]


def test_api_when_index_missing_is_503(analyst_client, db):
    resp = analyst_client.get(API, {"q": "espresso"})
    assert resp.status_code == 503
    assert "search_index --rebuild" in resp.json()["detail"]


def test_autocomplete(analyst_client, indexed):
    body = analyst_client.get(AUTOCOMPLETE, {"q": "noise can"}).json()
    assert [s["id"] for s in body["suggestions"]] == [str(indexed.headphones.pk)]
    assert body["suggestions"][0]["html"] == "<mark>Noise</mark> <mark>Cancelling</mark> Headphones"
    assert analyst_client.get(AUTOCOMPLETE, {"q": ""}).status_code == 400
    assert analyst_client.get(AUTOCOMPLETE, {"q": "a" * 101}).status_code == 400


def test_page_renders_hits_facets_and_paging(analyst_client, indexed):
    resp = analyst_client.get(PAGE, {"q": "espresso"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "3 results" in html
    assert "<mark>Espresso</mark> Machine Deluxe" in html
    assert "Home &amp; Kitchen" in html
    assert 'src="/static/search/autocomplete.js"' in html


def test_page_shows_form_errors(analyst_client, indexed):
    resp = analyst_client.get(PAGE, {"q": "espresso", "rating_min": 5, "rating_max": 1})
    assert resp.status_code == 200
    assert RATING_ORDER in resp.content.decode()


def test_page_when_index_missing_says_so(analyst_client, db):
    resp = analyst_client.get(PAGE, {"q": "espresso"})
    assert resp.status_code == 200
    assert "search_index --rebuild" in resp.content.decode()


@pytest.mark.access
@pytest.mark.parametrize("url", [API, AUTOCOMPLETE])
def test_api_access(client, plain_user, analyst_user, staff_user, indexed, url):
    params = {"q": "espresso"}
    assert client.get(url, params).status_code in (401, 403)
    client.force_login(plain_user)
    resp = client.get(url, params)
    assert resp.status_code == 403 and resp.json()["detail"] == NOT_ANALYST
    client.force_login(analyst_user)
    assert client.get(url, params).status_code == 200
    client.force_login(staff_user)
    assert client.get(url, params).status_code == 200


@pytest.mark.access
def test_page_access(client, plain_user, analyst_user, staff_user, indexed):
    resp = client.get(PAGE)
    assert resp.status_code == 302 and reverse("login") in resp["Location"]
    client.force_login(plain_user)
    assert client.get(PAGE).status_code == 403
    client.force_login(analyst_user)
    assert client.get(PAGE).status_code == 200
    client.force_login(staff_user)
    assert client.get(PAGE).status_code == 200


@pytest.mark.fuzz
@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        ":",
        "a:b",
        "title:espresso",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "*",
        "?",
        "~",
        "^",
        "\\",
        "/",
        "espresso AND (",
        "NOT",
        "OR OR",
        "\x00",
        "<script>alert(1)</script>",
        "%",
        "&&",
        "||",
        "!",
        "-",
        "+",
        "日本語",
        "😀 espresso",
        "x" * 10_000,
        "a " * 5_000,
        "espr*so~2^3",
        '"unterminated phrase',
    ],
)
def test_query_syntax_and_huge_input_never_500(analyst_client, indexed, q):
    for url in (API, AUTOCOMPLETE, PAGE):
        resp = analyst_client.get(url, {"q": q})
        assert resp.status_code in (200, 400), (url, q[:40], resp.status_code)
        if url == API and resp.status_code == 200:
            assert "<script>" not in resp.content.decode()


def test_responses_match_the_documented_schema(analyst_client, indexed):
    from search.serializers import AutocompleteResponseSerializer, SearchResponseSerializer

    body = analyst_client.get(API, {"q": "espresso", "page_size": 2}).json()
    documented = SearchResponseSerializer(data=body)
    assert documented.is_valid(), documented.errors
    suggestions = AutocompleteResponseSerializer(data=analyst_client.get(AUTOCOMPLETE, {"q": "esp"}).json())
    assert suggestions.is_valid(), suggestions.errors
