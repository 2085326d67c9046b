"""The response cache (core.api.cache, core.page_cache): repeated reads are served from memory, yet
no write, class of user, format, error, refusal or throttle is ever answered by a stored response."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from accounts.tests.factories import CustomerFactory
from analytics.rollups.version import version_current
from catalog.services import product_create
from catalog.tests.factories import ProductFactory
from core.api.cache import CACHE_HEADER, RESPONSES
from sales.services import sale_create

pytestmark = pytest.mark.django_db
SOLD_AT = dt.datetime(2025, 3, 3, 12, tzinfo=dt.UTC)
RANGE = {"date_from": "2025-03-01", "date_to": "2025-03-31"}
CSRF = "abcdefghijklmnopqrstuvwxyzABCDEF"  # a browser's CSRF cookie (32 characters)


@pytest.fixture(autouse=True)
def response_cache(settings):
    settings.API_RESPONSE_CACHE_ENTRIES = 64  # off in the other tests (settings/test.py)


@pytest.fixture
def shop():
    product = ProductFactory(category="Books", price=Decimal("10.00"))
    customer = CustomerFactory()
    sale_create(customer=customer, product=product, quantity=2, sold_at=SOLD_AT)
    return customer, product


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")


def get(client, url, params=None, **meta):
    response = client.get(url, params or {}, **meta)
    return response, response.get(CACHE_HEADER)


def revenue(client) -> float:
    response, _ = get(client, "/api/analytics/kpis/", RANGE)
    assert response.status_code == 200
    return float(response.json()["revenue"]["value"])


def test_a_repeated_read_is_served_from_the_cache(analyst_client, shop):
    first, state = get(analyst_client, "/api/products/")
    again, state_again = get(analyst_client, "/api/products/")
    assert (state, state_again) == ("miss", "hit")
    assert again.content == first.content and again["Content-Type"] == first["Content-Type"]
    assert again["Cache-Control"] == "private, no-cache" and again["ETag"] == first["ETag"]


def test_a_service_write_shows_on_the_very_next_request(analyst_client, shop):
    customer, product = shop
    assert revenue(analyst_client) == 20.0
    assert get(analyst_client, "/api/analytics/kpis/", RANGE)[1] == "hit"
    sale_create(customer=customer, product=product, quantity=1, sold_at=SOLD_AT)
    assert revenue(analyst_client) == 30.0

    count = get(analyst_client, "/api/products/")[0].json()["count"]
    product_create(sku="NEW-1", name="A new book", category="Books", price=Decimal("5.00"))
    assert get(analyst_client, "/api/products/")[0].json()["count"] == count + 1


def test_a_write_through_the_api_shows_on_the_very_next_request(client, analyst_user, staff_user, shop):
    analyst, staff = token_client(analyst_user), token_client(staff_user)
    before = get(analyst, "/api/products/")[0].json()["count"]
    assert get(analyst, "/api/products/")[1] == "hit"
    created = staff.post(
        "/api/products/", {"sku": "API-1", "name": "Posted", "category": "Books", "price": "3.00"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    listed, state = get(analyst, "/api/products/")
    assert state == "miss" and listed.json()["count"] == before + 1


def test_each_class_of_user_has_its_own_entries(client, analyst_user, staff_user, shop):
    staff, analyst = token_client(staff_user), token_client(analyst_user)
    assert get(staff, "/api/products/")[1] == "miss"
    assert get(staff, "/api/products/")[1] == "hit"
    assert get(analyst, "/api/products/")[1] == "miss"  # never the staff's entry
    assert get(analyst, "/api/products/")[1] == "hit"
    assert len(RESPONSES) == 2


def test_anonymous_and_bad_tokens_are_refused_however_warm_the_cache(client, analyst_user, shop):
    analyst = token_client(analyst_user)
    get(analyst, "/api/products/")
    assert get(analyst, "/api/products/")[1] == "hit"
    anonymous, state = get(Client(), "/api/products/")
    assert anonymous.status_code == 401 and state is None
    bad = Client(HTTP_AUTHORIZATION="Token not-a-real-key").get("/api/products/")
    assert bad.status_code == 401 and CACHE_HEADER not in bad


def test_a_user_who_cannot_read_is_refused_however_warm_the_cache(client, analyst_user, plain_user, shop):
    get(token_client(analyst_user), "/api/analytics/kpis/", RANGE)
    refused, state = get(token_client(plain_user), "/api/analytics/kpis/", RANGE)
    assert refused.status_code == 403 and state is None


def test_throttled_requests_are_refused_however_warm_the_cache(client, analyst_user, shop, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    analyst = token_client(analyst_user)
    states = [get(analyst, "/api/products/") for _ in range(3)]
    assert [(r.status_code, s) for r, s in states] == [(200, "miss"), (200, "hit"), (429, None)]


def test_errors_are_never_stored(analyst_client, shop):
    for _ in range(2):
        response, state = get(analyst_client, "/api/products/", {"no_such_filter": "1"})
        assert response.status_code == 400 and state is None
        response, state = get(analyst_client, "/api/analytics/kpis/", {"date_from": "not-a-date"})
        assert response.status_code == 400 and state is None
        response, state = get(analyst_client, "/api/products/999999999/")
        assert response.status_code == 404
    assert len(RESPONSES) == 0


def test_csv_and_json_are_separate(analyst_client, shop):
    get(analyst_client, "/api/products/")
    assert get(analyst_client, "/api/products/")[1] == "hit"
    as_csv, _ = get(analyst_client, "/api/products/", HTTP_ACCEPT="text/csv")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert b"".join(as_csv.streaming_content).startswith(b"id,")
    as_json, state = get(analyst_client, "/api/products/", HTTP_ACCEPT="application/json")
    assert state == "hit" and as_json.json()["count"] == 1


def test_the_browsable_api_is_never_stored(analyst_client, shop):
    for _ in range(2):
        page, state = get(analyst_client, "/api/products/", HTTP_ACCEPT="text/html")
        assert page.status_code == 200 and page["Content-Type"].startswith("text/html") and state is None


def test_a_conditional_request_with_the_etag_is_304(analyst_client, shop):
    first, _ = get(analyst_client, "/api/analytics/kpis/", RANGE)
    unchanged, _ = get(analyst_client, "/api/analytics/kpis/", RANGE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304 and unchanged.content == b""
    customer, product = shop
    sale_create(customer=customer, product=product, quantity=1, sold_at=SOLD_AT)
    changed, _ = get(analyst_client, "/api/analytics/kpis/", RANGE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_forecasts_which_may_answer_from_a_stale_fit_are_never_stored(analyst_client, shop):
    for _ in range(2):
        response, state = get(analyst_client, "/api/analytics/forecast/")
        assert response.status_code == 200 and state is None


def test_the_least_recently_used_entries_go_first_by_count_and_by_size(settings, monkeypatch):
    from core.api import cache

    def body(n: int) -> cache.Stored:
        return cache.Stored(b"x" * n, (), '"e"')

    lru = cache.LRU()
    settings.API_RESPONSE_CACHE_ENTRIES = 2
    lru.set("a", body(1))
    lru.set("b", body(1))
    assert lru.get("a") is not None  # now "b" is the least recently used
    lru.set("c", body(1))
    assert (lru.get("b"), len(lru)) == (None, 2)

    settings.API_RESPONSE_CACHE_ENTRIES = 10
    monkeypatch.setattr(cache, "MAX_BYTES", 10)
    lru.set("d", body(6))  # a, c and d: 8 bytes
    lru.set("e", body(4))  # 12 bytes: a and c go
    assert [k for k in "acde" if lru.get(k) is not None] == ["d", "e"]
    lru.set("f", body(11))  # larger than the whole budget: not kept, nothing else dropped
    assert lru.get("f") is None and len(lru) == 2


def test_the_cache_can_be_turned_off(analyst_client, shop, settings):
    settings.API_RESPONSE_CACHE_ENTRIES = 0
    assert [get(analyst_client, "/api/products/")[1] for _ in range(2)] == [None, None]


# --- the dashboard page: per browser ------------------------------------------------------------


def browser(client, user) -> Client:
    client.force_login(user)
    client.cookies["csrftoken"] = CSRF
    return client


def signed_in(user) -> bytes:
    return f'title="Signed in">{user.get_username()}<'.encode()


def test_the_dashboard_is_cached_per_browser_and_follows_writes(analyst_user, staff_user, shop):
    analyst, staff = browser(Client(), analyst_user), browser(Client(), staff_user)
    first, state = get(analyst, "/", RANGE)
    assert state == "miss" and signed_in(analyst_user) in first.content
    again, state = get(analyst, "/", RANGE)
    assert state == "hit" and again.content == first.content
    other, state = get(staff, "/", RANGE)
    assert state == "miss" and signed_in(staff_user) in other.content

    customer, product = shop
    before = version_current()
    sale_create(customer=customer, product=product, quantity=1, sold_at=SOLD_AT)
    assert version_current() > before
    after, state = get(analyst, "/", RANGE)
    assert state == "miss" and after.context["kpi_cards"][0]["value"] == 30.0


def test_the_dashboard_without_a_csrf_cookie_is_always_rendered(analyst_client, shop):
    states = []
    for _ in range(2):
        analyst_client.cookies.pop("csrftoken", None)  # the first answer sets one
        states.append(get(analyst_client, "/", RANGE)[1])
    assert states == [None, None]


def test_the_dashboard_still_sends_anonymous_users_to_the_login_page(client, analyst_user, shop):
    get(browser(Client(), analyst_user), "/", RANGE)
    client.cookies["csrftoken"] = CSRF
    response, state = get(client, "/", RANGE)
    assert response.status_code == 302 and "/login/" in response["Location"] and state is None


# --- token requests replayed before URL resolution (core.api.replay) ----------------------------


def test_a_token_request_is_replayed_without_resolving_the_url(analyst_user, shop, monkeypatch):
    from django.urls import resolvers

    analyst = token_client(analyst_user)
    first, state = get(analyst, "/api/sales/", {"category": "Books"})
    resolved = []
    real = resolvers.URLResolver.resolve
    monkeypatch.setattr(resolvers.URLResolver, "resolve", lambda self, path: resolved.append(path) or real(self, path))
    again, state_again = get(analyst, "/api/sales/", {"category": "Books"})
    assert (state, state_again) == ("miss", "hit") and resolved == []
    assert again.content == first.content and again["ETag"] == first["ETag"]
    for header in ("Content-Type", "Vary", "Allow", "X-Frame-Options", "X-Content-Type-Options"):
        assert again[header] == first[header], header
    assert get(analyst, "/api/sales/", {"category": "Books"}, HTTP_IF_NONE_MATCH=first["ETag"])[0].status_code == 304


def test_an_answer_computed_for_another_accept_header_is_replayed_after_its_first_hit(
    analyst_user, shop, monkeypatch
):
    # curl sends Accept: */*, wrk and many clients send none: both negotiate JSON, one entry.
    analyst = token_client(analyst_user)
    first, state = get(analyst, "/api/products/", HTTP_ACCEPT="*/*")
    resolved = _counting_resolves(monkeypatch)
    normal_hit, normal_state = get(analyst, "/api/products/")  # no Accept: through REST framework
    assert (state, normal_state) == ("miss", "hit") and resolved != []
    resolved.clear()
    replayed, replayed_state = get(analyst, "/api/products/")
    assert replayed_state == "hit" and resolved == [] and replayed.content == first.content


def test_a_replayed_answer_follows_writes_and_formats(analyst_user, shop):
    analyst = token_client(analyst_user)
    assert revenue(analyst) == revenue(analyst) == 20.0
    customer, product = shop
    sale_create(customer=customer, product=product, quantity=1, sold_at=SOLD_AT)
    assert revenue(analyst) == 30.0
    get(analyst, "/api/products/", HTTP_ACCEPT="application/json")
    as_csv, state = get(analyst, "/api/products/", HTTP_ACCEPT="text/csv")
    assert as_csv["Content-Type"].startswith("text/csv") and state is None  # CSV streams: never stored


def test_a_replay_still_checks_the_token_the_permission_and_the_throttle(
    analyst_user, staff_user, shop, monkeypatch
):
    from django.contrib.auth.models import Group

    from core.groups import ANALYSTS

    token = Token.objects.create(user=analyst_user)
    analyst = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    get(analyst, "/api/products/")
    assert get(analyst, "/api/products/")[1] == "hit"
    analyst_user.groups.remove(Group.objects.get(name=ANALYSTS))  # no longer a reader
    refused, state = get(analyst, "/api/products/")
    assert refused.status_code == 403 and state is None
    staff = token_client(staff_user)
    get(staff, "/api/products/")
    assert get(staff, "/api/products/")[1] == "hit"
    token.delete()
    assert get(analyst, "/api/products/")[0].status_code == 401
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "4/min")  # staff has had 2
    statuses = [get(staff, "/api/products/") for _ in range(3)]
    assert [(r.status_code, s) for r, s in statuses] == [(200, "hit"), (200, "hit"), (429, None)]
    assert int(statuses[-1][0]["Retry-After"]) > 0


def test_only_token_requests_to_default_views_are_filed_for_replay(analyst_client, analyst_user, shop):
    from core.api.cache import REPLAYS

    get(analyst_client, "/api/products/")  # a session's request
    assert len(RESPONSES) == 1 and len(REPLAYS) == 0
    get(token_client(analyst_user), "/api/analytics/kpis/", RANGE)
    assert len(REPLAYS) == 1


def test_search_is_replayed_and_a_view_with_its_own_permission_is_not(analyst_user, shop, settings, tmp_path):
    from types import SimpleNamespace

    from rest_framework.permissions import IsAdminUser
    from rest_framework.settings import api_settings

    from core.api.authentication import ThrottledTokenAuthentication
    from core.api.cache import REPLAYS, replayable

    from search.backends import get_search_backend

    settings.SEARCH_BACKEND, settings.SEARCH_INDEX_DIR = "embedded", tmp_path / "search"
    get_search_backend().rebuild()
    analyst = token_client(analyst_user)
    assert get(analyst, "/api/search/autocomplete/", {"q": "bo"})[0].status_code == 200
    assert len(REPLAYS) == 1  # IsAuthenticated + IsAnalystOrStaff: both admit every reader
    assert get(analyst, "/api/analytics/customer_values/")[0].status_code == 200  # never stored
    assert len(REPLAYS) == 1

    def view(*permissions):
        return SimpleNamespace(
            get_authenticators=lambda: [c() for c in api_settings.DEFAULT_AUTHENTICATION_CLASSES],
            get_permissions=lambda: list(permissions),
            get_throttles=lambda: [c() for c in api_settings.DEFAULT_THROTTLE_CLASSES],
        )

    request = SimpleNamespace(successful_authenticator=ThrottledTokenAuthentication(), path="/api/x/")
    from core.api.permissions import ReadAnalystsWriteStaff

    assert replayable(view(ReadAnalystsWriteStaff()), request)
    assert not replayable(view(ReadAnalystsWriteStaff(), IsAdminUser()), request)  # staff only: not replayed


# --- the dashboard page replayed before URL resolution (core.page_cache.replay) -----------------


def _counting_resolves(monkeypatch) -> list:
    from django.urls import resolvers

    resolved, real = [], resolvers.URLResolver.resolve
    monkeypatch.setattr(resolvers.URLResolver, "resolve", lambda self, path: resolved.append(path) or real(self, path))
    return resolved


def test_a_signed_in_browser_gets_the_page_replayed_with_the_same_headers(analyst_user, shop, monkeypatch):
    analyst = browser(Client(), analyst_user)
    get(analyst, "/", RANGE)
    normal_hit, state = get(analyst, "/", RANGE)  # the session is now remembered
    assert state == "hit"
    resolved = _counting_resolves(monkeypatch)
    replayed, state = get(analyst, "/", RANGE)
    assert state == "hit" and resolved == []
    assert replayed.content == normal_hit.content
    for header in ("Content-Type", "Vary", "ETag", "Cache-Control", "X-Frame-Options", "Content-Security-Policy"):
        assert replayed.get(header) == normal_hit.get(header), header
    assert replayed.cookies["csrftoken"].value == CSRF  # renewed, as the rendered page renews it


def test_a_replayed_page_follows_sign_out_group_changes_and_messages(analyst_user, shop, monkeypatch):
    from django.contrib.auth.models import Group
    from django.contrib.messages.storage.cookie import CookieStorage

    from core.groups import ANALYSTS

    analyst = browser(Client(), analyst_user)
    for _ in range(2):
        get(analyst, "/", RANGE)
    analyst.cookies[CookieStorage.cookie_name] = "pending"  # a message waiting: always rendered
    resolved = _counting_resolves(monkeypatch)
    get(analyst, "/", RANGE)
    assert resolved != []
    del analyst.cookies[CookieStorage.cookie_name]
    analyst_user.groups.remove(Group.objects.get(name=ANALYSTS))
    assert get(analyst, "/", RANGE)[0].status_code == 403
    analyst_user.groups.add(Group.objects.get(name=ANALYSTS))
    assert get(analyst, "/", RANGE)[0].status_code == 200
    session_key = analyst.cookies["sessionid"].value
    assert get(analyst, "/", RANGE)[1] == "hit"
    analyst.logout()  # the session row is deleted; the cookie stays in a stolen copy
    stolen = Client()
    stolen.cookies["sessionid"], stolen.cookies["csrftoken"] = session_key, CSRF
    response, state = get(stolen, "/", RANGE)
    assert response.status_code == 302 and state is None


def test_an_expired_session_is_not_replayed(analyst_user, shop):
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    analyst = browser(Client(), analyst_user)
    for _ in range(2):
        get(analyst, "/", RANGE)
    # As time passing does it: no save, so no version moves; the remembered expiry decides.
    Session.objects.update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    from core.page_cache import BROWSERS

    for entry in BROWSERS._entries.values():
        object.__setattr__(entry, "expires", timezone.now() - dt.timedelta(seconds=1))
    response, state = get(analyst, "/", RANGE)
    assert response.status_code == 302 and state is None
