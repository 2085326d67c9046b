"""Who may do what on /api/: anonymous 401, signed-in non-readers 403, analysts read, staff write."""

import subprocess
from pathlib import Path
import sys

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from accounts.management.commands.api_token import CANNOT_READ, NO_SUCH_LOGIN
from feedback.tests.factories import FeedbackFactory
from sales.tests.factories import SaleFactory

pytestmark = [pytest.mark.django_db, pytest.mark.access]


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()  # throttle history lives in the cache


@pytest.fixture
def records():
    sale = SaleFactory()
    feedback = FeedbackFactory(product=sale.product, customer=sale.customer)
    return {"sale": sale, "feedback": feedback, "product": sale.product, "customer": sale.customer}


def read_urls(records):
    return [
        "/api/",
        "/api/users/",
        f"/api/users/{records['customer'].pk}/",
        "/api/products/",
        f"/api/products/{records['product'].pk}/",
        "/api/sales/",
        f"/api/sales/{records['sale'].pk}/",
        "/api/feedback/",
        f"/api/feedback/{records['feedback'].pk}/",
        "/api/users/?format=csv",
        "/api/analytics/",
        "/api/analytics/kpis/",
    ]


def write_requests(records):
    """(method, url, body) for one write per verb and endpoint; staff expect the status given."""
    c, p, s, f = records["customer"], records["product"], records["sale"], records["feedback"]
    return [
        ("post", "/api/users/", {"name": "N", "email": "n@example.com", "city": "Porto", "country": "PT"},
         201),
        ("patch", f"/api/users/{c.pk}/", {"city": "Faro"}, 200),
        ("post", "/api/products/", {"sku": "NEW-1", "name": "N", "category": "Books", "price": "3.00"}, 201),
        ("patch", f"/api/products/{p.pk}/", {"price": "4.00"}, 200),
        ("post", "/api/sales/", {"product": str(p.pk), "customer": str(c.pk), "quantity": 2}, 201),
        ("patch", f"/api/sales/{s.pk}/", {"quantity": 3}, 200),
        ("post", f"/api/sales/{s.pk}/refund/", None, 200),
        ("post", "/api/feedback/", {"product": str(p.pk), "customer": str(c.pk), "rating": 5}, 201),
        ("patch", f"/api/feedback/{f.pk}/", {"rating": 1}, 200),
        ("delete", f"/api/feedback/{f.pk}/", None, 204),
        ("delete", f"/api/sales/{s.pk}/", None, 204),
    ]


def client_for(user=None, token=None):
    client = APIClient()
    if user is not None:
        client.force_login(user)
    if token is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_anonymous_gets_401_with_token_challenge_everywhere(records):
    client = client_for()
    for url in read_urls(records):
        response = client.get(url)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"] == "Token", url
    for method, url, body, _ in write_requests(records):
        assert getattr(client, method)(url, body).status_code == 401, (method, url)


def test_signed_in_user_who_is_neither_analyst_nor_staff_gets_403(records, plain_user):
    client = client_for(plain_user)
    for url in read_urls(records):
        assert client.get(url).status_code == 403, url
    for method, url, body, _ in write_requests(records):
        assert getattr(client, method)(url, body).status_code == 403, (method, url)


def test_analysts_read_but_cannot_write(records, analyst_user):
    client = client_for(analyst_user)
    for url in read_urls(records):
        assert client.get(url).status_code == 200, url
    for method, url, body, _ in write_requests(records):
        assert getattr(client, method)(url, body).status_code == 403, (method, url)
    assert records["sale"].__class__.objects.filter(pk=records["sale"].pk, quantity=1).exists()


def test_staff_read_and_write(records, staff_user):
    client = client_for(staff_user)
    for url in read_urls(records):
        assert client.get(url).status_code == 200, url
    for method, url, body, expected in write_requests(records):
        response = getattr(client, method)(url, body)
        assert response.status_code == expected, (method, url, response.content)


def test_inactive_staff_is_refused(records, staff_user):
    staff_user.is_active = False
    staff_user.save()
    token = Token.objects.create(user=staff_user)
    assert client_for(token=token.key).get("/api/sales/").status_code == 401


def test_schema_docs_and_login_are_open(db):
    client = client_for()
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/auth/login/").status_code == 200


def test_session_writes_need_the_csrf_token(records, staff_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.patch(f"/api/users/{records['customer'].pk}/", {"city": "Faro"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


# --- tokens ------------------------------------------------------------------------------------


def issue(username, *args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("api_token", username, *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_api_token_command_issues_a_working_token(records, analyst_user):
    key, hint = issue("ana")
    assert "Authorization: Token" in hint
    assert Token.objects.get(user=analyst_user).key == key
    assert client_for(token=key).get("/api/sales/").status_code == 200
    assert client_for(token=key).post("/api/products/", {}).status_code == 403  # analysts stay read-only
    assert issue("ana")[0] == key  # asking again prints the same key


def test_api_token_rotate_and_revoke(records, staff_user):
    key, _ = issue("sam")
    new_key, _ = issue("sam", "--rotate")
    assert new_key != key
    assert client_for(token=key).get("/api/sales/").status_code == 401
    assert client_for(token=new_key).get("/api/sales/").status_code == 200
    assert issue("sam", "--revoke")[0] == ""
    assert not Token.objects.filter(user=staff_user).exists()
    assert client_for(token=new_key).get("/api/sales/").status_code == 401


def test_api_token_refuses_unknown_logins_and_non_readers(plain_user):
    with pytest.raises(CommandError) as exc:
        issue("nobody")
    assert str(exc.value) == NO_SUCH_LOGIN.format(username="nobody")
    with pytest.raises(CommandError) as exc:
        issue("pat")
    assert str(exc.value) == CANNOT_READ.format(username="pat")
    assert not Token.objects.exists()


def test_bad_token_is_401(db):
    assert client_for(token="not-a-real-key").get("/api/sales/").status_code == 401


# --- throttling --------------------------------------------------------------------------------


def test_anonymous_requests_are_throttled(db, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/min")
    client = client_for()
    statuses = [client.get("/api/schema/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]


def test_token_requests_are_throttled_per_user(records, analyst_user, staff_user, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "user", "2/min")
    analyst = client_for(token=Token.objects.create(user=analyst_user).key)
    staff = client_for(token=Token.objects.create(user=staff_user).key)
    assert [analyst.get("/api/sales/").status_code for _ in range(3)] == [200, 200, 429]
    response = analyst.get("/api/sales/")
    assert int(response["Retry-After"]) > 0
    assert staff.get("/api/sales/").status_code == 200  # another user has their own budget


def test_bad_tokens_are_throttled_before_their_401(db, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "anon", "3/min")
    statuses = [client_for(token=f"guess-{i}").get("/api/sales/").status_code for i in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    assert int(client_for(token="guess-9").get("/api/sales/")["Retry-After"]) > 0


def test_throttle_counts_are_shared_by_every_worker_process(tmp_path):
    """Two processes (as two gunicorn workers) on one DATA_DIR share one anonymous budget."""
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='localhost');"
        "print(' '.join(str(c.get('/api/schema/').status_code) for _ in range(2)))"
    )
    env = {"DATA_DIR": str(tmp_path), "API_THROTTLE_ANON": "3/min",
           "DJANGO_SETTINGS_MODULE": "ecommerce_analytics.settings"}
    runs = [subprocess.run([sys.executable, "manage.py", "shell", "--no-imports", "-c", code], env=_env(env),
                           cwd=Path(__file__).resolve().parent.parent, capture_output=True, text=True, timeout=120)
            for _ in range(2)]
    assert [r.stdout.split()[-2:] for r in runs] == [["200", "200"], ["200", "429"]], [r.stderr for r in runs]


def test_throttle_rates_come_from_the_environment():
    env = {"API_THROTTLE_ANON": "7/hour", "API_THROTTLE_USER": "70/day",
           "DJANGO_SETTINGS_MODULE": "ecommerce_analytics.settings"}
    code = "from django.conf import settings; print(settings.REST_FRAMEWORK['DEFAULT_THROTTLE_RATES'])"
    result = subprocess.run([sys.executable, "-c", code], env=_env(env), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "{'anon': '7/hour', 'user': '70/day'}"


def test_a_bad_throttle_rate_is_a_clear_configuration_error():
    env = {"API_THROTTLE_USER": "fast", "DJANGO_SETTINGS_MODULE": "ecommerce_analytics.settings"}
    code = "from django.conf import settings; settings.REST_FRAMEWORK"
    result = subprocess.run([sys.executable, "-c", code], env=_env(env), capture_output=True, text=True)
    assert result.returncode != 0
    assert "API_THROTTLE_USER must look like 60/min" in result.stderr


def _env(extra):
    import os
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    return {**os.environ, "PYTHONPATH": str(root), **extra, "MONGODB_URI": ""}
