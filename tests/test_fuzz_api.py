"""Schemathesis against /api/schema/, in process through the WSGI app, as an analyst and as staff.

Every operation gets generated requests (valid and invalid parameters, bodies, ids); each response
must not be a server error and must conform to the schema (status documented, body matching its
schema, content type declared). Staff writes really happen, inside the test's transaction.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ecommerce_analytics.wsgi import application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

EXAMPLES = 5  # per operation and role, plus schemathesis's coverage cases: well over 1000 requests
SENT = {"requests": 0, "by_status": {}}
# No server error and no schema violation: the status is documented, the body matches its schema,
# the content type and headers are the declared ones. Not asserted: schemathesis's checks that the
# server refuse every value outside the schema (an empty `date_to=` means "no bound", as a page's
# form sends it) or demand credentials on routes that are public by design (the schema itself).
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application, headers={"Host": "localhost"})


@pytest.fixture
def records(db, settings, tmp_path):
    """A few of each record, and a search index of them under the test's own folder."""
    from feedback.tests.factories import FeedbackFactory
    from sales.tests.factories import SaleFactory
    from search.backends import get_search_backend

    for _ in range(3):
        sale = SaleFactory()
        FeedbackFactory(product=sale.product, customer=sale.customer)
    settings.SEARCH_BACKEND = "embedded"
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    get_search_backend().rebuild()


@pytest.fixture(autouse=True)
def connection_kept():
    """As Django's test client does: the WSGI app's request signals would close the test's database
    connection after each request (it is inside the test's transaction), and the next request would
    find it closed. Only a file database shows it; an in-memory one ignores the close."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def unthrottled(monkeypatch):
    """Thousands of requests as one user: the throttle's own tests live in test_api_access."""
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/s", "user": "100000/s"})


def _call(case, user):
    token, _ = Token.objects.get_or_create(user=user)
    response = case.call_and_validate(
        headers={"Authorization": f"Token {token.key}", "Host": "localhost"}, checks=CHECKS
    )
    SENT["requests"] += 1
    SENT["by_status"][response.status_code] = SENT["by_status"].get(response.status_code, 0) + 1
    assert response.status_code < 500


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@schema.parametrize()
@FUZZ
def test_api_as_analyst(case, analyst_user, records, unthrottled):
    _call(case, analyst_user)


@schema.parametrize()
@FUZZ
def test_api_as_staff(case, staff_user, records, unthrottled):
    _call(case, staff_user)


def test_fuzzing_sent_at_least_a_thousand_requests():
    if not SENT["requests"]:
        pytest.skip("the fuzz tests above did not run")
    print(f"schemathesis: {SENT['requests']} requests, by status {dict(sorted(SENT['by_status'].items()))}")
    assert SENT["requests"] >= 1000
