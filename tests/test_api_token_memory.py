"""Tokens remembered in the worker's memory (core.api.authentication) and the shared throttle counts
(core.api.throttling): every change to a token, a user or a group shows on the very next request,
and a remembered token really skips its queries."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from io import StringIO
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from core.api.throttling import THROTTLES, SharedRateThrottle
from core.groups import ANALYSTS
from sales.tests.factories import SaleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.access]

URL = "/api/sales/"


def client_for(key):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def analyst_token(analyst_user):
    SaleFactory()
    token = Token.objects.create(user=analyst_user)
    client = client_for(token.key)
    assert client.get(URL).status_code == 200  # now remembered
    return token


def test_a_remembered_token_skips_the_token_and_group_queries(analyst_token):
    client = client_for(analyst_token.key)
    with CaptureQueriesContext(connection) as first:
        assert client.get(URL).status_code == 200
    assert not any("authtoken" in q["sql"] or "auth_group" in q["sql"] for q in first.captured_queries)


def test_a_rotated_token_stops_working_on_the_next_request(analyst_token):
    call_command("api_token", "ana", "--rotate", stdout=StringIO(), stderr=StringIO())
    assert client_for(analyst_token.key).get(URL).status_code == 401
    assert client_for(Token.objects.get(user__username="ana").key).get(URL).status_code == 200


def test_a_token_deleted_in_the_admin_stops_working(analyst_token):
    TokenProxy.objects.get(pk=analyst_token.pk).delete()  # what the admin's delete does
    assert client_for(analyst_token.key).get(URL).status_code == 401


def test_a_deactivated_user_loses_access_on_the_next_request(analyst_token, analyst_user):
    analyst_user.is_active = False
    analyst_user.save()
    assert client_for(analyst_token.key).get(URL).status_code == 401


def test_a_deleted_user_loses_access_on_the_next_request(analyst_token, analyst_user):
    analyst_user.delete()
    assert client_for(analyst_token.key).get(URL).status_code == 401


@pytest.mark.parametrize("how", ["user.groups.remove", "group.user_set.remove", "user.groups.clear", "group.delete"])
def test_leaving_the_analysts_group_loses_access_on_the_next_request(analyst_token, analyst_user, how):
    group = Group.objects.get(name=ANALYSTS)
    {
        "user.groups.remove": lambda: analyst_user.groups.remove(group),
        "group.user_set.remove": lambda: group.user_set.remove(analyst_user),
        "user.groups.clear": lambda: analyst_user.groups.clear(),
        "group.delete": lambda: group.delete(),
    }[how]()
    assert client_for(analyst_token.key).get(URL).status_code == 403


def test_joining_the_analysts_group_gives_access_on_the_next_request(plain_user):
    key = Token.objects.create(user=plain_user).key
    assert client_for(key).get(URL).status_code == 403
    plain_user.groups.add(Group.objects.get(name=ANALYSTS))
    assert client_for(key).get(URL).status_code == 200


def test_made_staff_writes_on_the_next_request_and_unmade_no_more(analyst_token, analyst_user):
    client = client_for(analyst_token.key)
    sale = SaleFactory()
    assert client.patch(f"{URL}{sale.pk}/", {"quantity": 3}).status_code == 403
    analyst_user.is_staff = True
    analyst_user.save()
    assert client.patch(f"{URL}{sale.pk}/", {"quantity": 3}).status_code == 200
    analyst_user.is_staff = False
    analyst_user.save(update_fields=["is_staff"])
    assert client.patch(f"{URL}{sale.pk}/", {"quantity": 4}).status_code == 403


def test_an_unrelated_save_keeps_the_token_remembered(analyst_token, analyst_user):
    analyst_user.last_login = analyst_user.date_joined
    analyst_user.save(update_fields=["last_login"])  # what a sign-in writes
    with CaptureQueriesContext(connection) as queries:
        assert client_for(analyst_token.key).get(URL).status_code == 200
    assert not any("authtoken" in q["sql"] for q in queries.captured_queries)


# --- the shared throttle's window ---------------------------------------------------------------


def test_the_throttle_window_ends_when_retry_after_says(analyst_token, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    THROTTLES.clear()  # the fixture's request counted at the real time
    now = [1_000_000.0]
    monkeypatch.setattr(SharedRateThrottle, "timer", staticmethod(lambda: now[0]))
    client = client_for(analyst_token.key)
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]
    now[0] += 45.5
    refused = client.get(URL)
    assert refused.status_code == 429 and int(refused["Retry-After"]) == 15  # 14.5 s, rounded up
    now[0] += 14.5
    assert [client.get(URL).status_code for _ in range(3)] == [200, 200, 429]


def test_ended_windows_are_deleted_and_live_ones_kept(db, monkeypatch):
    THROTTLES.clear()
    THROTTLES.count("anon:old", now=1_000.0, duration=60)
    THROTTLES.count("anon:day", now=1_000.0, duration=86_400)
    THROTTLES.count("anon:new", now=1_050.0, duration=60)
    assert THROTTLES.purge(now=1_060.0) == 1  # anon:old's minute ended at 1,060
    assert THROTTLES.keys() == ["anon:day", "anon:new"]
    # A window renewed by a later request ends a duration after its new start.
    THROTTLES.count("anon:new", now=1_200.0, duration=60)
    assert THROTTLES.purge(now=1_259.0) == 0
    assert THROTTLES.purge(now=1_260.0) == 1
    assert THROTTLES.keys() == ["anon:day"]


def test_counting_purges_once_the_interval_has_passed(analyst_token, monkeypatch):
    """A stream of requests from new addresses does not grow the store without bound."""
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    THROTTLES.clear()
    THROTTLES.count("anon:gone", now=1.0, duration=60)
    monkeypatch.setattr("core.api.throttling.PURGE_EVERY", 0.0)
    assert client_for(analyst_token.key).get(URL).status_code == 200
    keys = THROTTLES.keys()
    assert "anon:gone" not in keys and len(keys) == 1  # the analyst's own window
