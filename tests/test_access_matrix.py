"""Who gets what: anonymous / analyst / staff / superuser × every page, API route, CSV export, docs
and admin page, each with the status expected. One table; a new route belongs in it.

Staff here is ``is_staff`` without model permissions and without superuser: it writes through the
API (the app's rule, core.permissions.can_write) but the Django admin lets it see only its index.
API writes are sent with an empty body (or to an unknown id): a 400 (or 404) shows the request got
past the permission check without changing anything.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from core.groups import ANALYSTS
from feedback.tests.factories import FeedbackFactory
from sales.tests.factories import SaleFactory

pytestmark = [pytest.mark.access, pytest.mark.django_db]

ROLES = ("anonymous", "analyst", "staff", "superuser")

# Expected status per role, in ROLES order.
PAGE = (302, 200, 200, 200)  # anonymous → the login page
API_READ = (401, 200, 200, 200)
API_WRITE_EMPTY = (401, 403, 400, 400)
API_WRITE_UNKNOWN_ID = (401, 403, 404, 404)
OPEN = (200, 200, 200, 200)
ADMIN_INDEX = (302, 302, 200, 200)  # not staff → the admin's login
ADMIN_MODEL = (302, 302, 403, 200)  # staff without the model's permissions
ADMIN_READ_ONLY_ADD = (302, 302, 403, 403)  # pending updates are never added by hand

MATRIX = [
    # Pages and their tables
    ("get", "/", PAGE),
    ("get", "/users/", PAGE),
    ("get", "/users/table/", PAGE),
    ("get", "/users/{customer}/", PAGE),
    ("get", "/users/cohorts/csv/", PAGE),
    ("get", "/users/segments/csv/?table=movement", PAGE),
    ("get", "/products/", PAGE),
    ("get", "/products/table/", PAGE),
    ("get", "/products/{product}/", PAGE),
    ("get", "/sales/", PAGE),
    ("get", "/sales/table/", PAGE),
    ("get", "/sales/{sale}/", PAGE),
    ("get", "/feedback/", PAGE),
    ("get", "/feedback/table/", PAGE),
    ("get", "/feedback/{feedback}/", PAGE),
    ("get", "/search/?q=a", PAGE),
    # API reads
    ("get", "/api/", API_READ),
    ("get", "/api/users/", API_READ),
    ("get", "/api/users/{customer}/", API_READ),
    ("get", "/api/products/", API_READ),
    ("get", "/api/products/{product}/", API_READ),
    ("get", "/api/sales/", API_READ),
    ("get", "/api/sales/{sale}/", API_READ),
    ("get", "/api/feedback/", API_READ),
    ("get", "/api/feedback/{feedback}/", API_READ),
    ("get", "/api/analytics/", API_READ),
    ("get", "/api/analytics/kpis/", API_READ),
    ("get", "/api/analytics/revenue_over_time/", API_READ),
    ("get", "/api/search/?q=a", API_READ),
    ("get", "/api/search/autocomplete/?q=a", API_READ),
    # CSV exports (the pages' export links point here)
    ("get", "/api/users/?format=csv", API_READ),
    ("get", "/api/products/?format=csv", API_READ),
    ("get", "/api/sales/?format=csv", API_READ),
    ("get", "/api/feedback/?format=csv", API_READ),
    # API writes
    ("post", "/api/users/", API_WRITE_EMPTY),
    ("post", "/api/products/", API_WRITE_EMPTY),
    ("post", "/api/sales/", API_WRITE_EMPTY),
    ("post", "/api/feedback/", API_WRITE_EMPTY),
    ("patch", "/api/users/{customer}/", API_WRITE_EMPTY[:2] + (200, 200)),  # an empty patch changes nothing
    ("delete", "/api/users/0/", API_WRITE_UNKNOWN_ID),
    ("delete", "/api/products/0/", API_WRITE_UNKNOWN_ID),
    ("delete", "/api/sales/0/", API_WRITE_UNKNOWN_ID),
    ("delete", "/api/feedback/0/", API_WRITE_UNKNOWN_ID),
    ("post", "/api/sales/0/refund/", API_WRITE_UNKNOWN_ID),
    # Docs and schema: open, so programs can discover the API
    ("get", "/api/schema/", OPEN),
    ("get", "/api/docs/", OPEN),
    # Admin
    ("get", "/admin/", ADMIN_INDEX),
    *[
        ("get", f"/admin/{model}/{page}", ADMIN_MODEL)
        for model, key in (("accounts/customer", "customer"), ("catalog/product", "product"),
                           ("sales/sale", "sale"), ("feedback/feedback", "feedback"))
        for page in ("", "add/", f"{{{key}}}/change/", f"{{{key}}}/delete/")
    ],
    ("get", "/admin/search/pendingupdate/", ADMIN_MODEL),
    ("get", "/admin/search/pendingupdate/add/", ADMIN_READ_ONLY_ADD),
    ("get", "/admin/auth/user/", ADMIN_MODEL),
]


@pytest.fixture
def shop(settings, tmp_path):
    from search.backends import get_search_backend

    sale = SaleFactory()
    feedback = FeedbackFactory(product=sale.product, customer=sale.customer)
    settings.SEARCH_BACKEND = "embedded"
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    get_search_backend().rebuild()
    return {"customer": sale.customer.pk, "product": sale.product.pk, "sale": sale.pk, "feedback": feedback.pk}


@pytest.fixture
def clients(django_user_model):
    analyst = django_user_model.objects.create_user("ana", password="x-analyst-1")
    analyst.groups.add(Group.objects.get(name=ANALYSTS))
    staff = django_user_model.objects.create_user("stu", password="x-staff-1", is_staff=True)
    superuser = django_user_model.objects.create_superuser("sue", password="x-super-1")
    out = {"anonymous": Client()}
    for role, user in (("analyst", analyst), ("staff", staff), ("superuser", superuser)):
        out[role] = Client()
        out[role].force_login(user)
    return out


def test_every_role_gets_the_expected_status_everywhere(shop, clients):
    wrong = []
    for method, template, expected in MATRIX:
        url = template.format(**shop)
        for role, want in zip(ROLES, expected, strict=True):
            kwargs = {"content_type": "application/json", "data": "{}"} if method in ("post", "patch") else {}
            got = getattr(clients[role], method)(url, **kwargs).status_code
            if got != want:
                wrong.append(f"{method.upper()} {url} as {role}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_the_matrix_covers_every_api_route_in_the_schema(client):
    import re

    covered = {re.sub(r"\{\w+\}|/0/", "/{id}/", t.split("?")[0]).replace("//", "/") for _, t, _ in MATRIX}
    schema = client.get("/api/schema/?format=json").json()
    documented = {p for p in schema["paths"] if not p.startswith("/api/analytics/") or p in (
        "/api/analytics/", "/api/analytics/kpis/", "/api/analytics/revenue_over_time/")}
    assert documented <= covered, documented - covered
