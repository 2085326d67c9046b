"""Arbitrary text (hypothesis) into every admin add and change form and every page's filter form:
whatever is typed, the answer is a page, a redirect or a 4xx, never a server error.

Values are drawn from arbitrary text, from near-valid values (numbers of any size, dates of any year,
ISO-looking strings), and from the form's own choices, so both the validation and what lies behind it
are reached. Each test runs in the test's transaction; staff writes that pass validation really happen.
"""

import string

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import CustomerFactory
from catalog.tests.factories import ProductFactory
from feedback.tests.factories import FeedbackFactory
from sales.tests.factories import SaleFactory

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text a person or a script might type: anything printable or not, huge numbers, odd dates.
NEAR_VALID = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.dates().map(str),
    st.datetimes().map(lambda d: d.isoformat()),
    st.sampled_from(["", " ", "0", "-1", "9999-12-31", "0001-01-01", "2025-02-30", "1e309", "NaN", "true",
                     "null", "[]", "{}", "'; DROP TABLE sales_sale; --", "<script>", "%00", "../../etc"]),
)
VALUE = st.one_of(st.text(max_size=60), st.text(alphabet=string.printable, max_size=300), NEAR_VALID)
ODD_KEY = st.text(alphabet=string.ascii_letters + "[]_0123456789", min_size=1, max_size=20)


@pytest.fixture
def shop(db):
    sale = SaleFactory()
    feedback = FeedbackFactory(product=sale.product, customer=sale.customer)
    return {"customer": sale.customer, "product": sale.product, "sale": sale, "feedback": feedback,
            "lonely_product": ProductFactory(), "lonely_customer": CustomerFactory()}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- Filter forms of every page (and the tables' JSON they load) ------------------------------------

FILTER_KEYS = ["date_from", "date_to", "category", "search", "ordering", "q", "type", "rating_min",
               "rating_max", "price_min", "price_max", "sort", "page", "page_size", "city", "country", "brand",
               "active", "channel", "status", "product", "customer", "quantity_min", "quantity_max", "draw",
               "start", "length", "search[value]", "order[0][column]", "order[0][dir]", "format"]


def _pages(shop):
    return ["/", "/users/", "/users/table/", f"/users/{shop['customer'].pk}/", "/products/", "/products/table/",
            f"/products/{shop['product'].pk}/", "/sales/", "/sales/table/", f"/sales/{shop['sale'].pk}/",
            "/feedback/", "/feedback/table/", f"/feedback/{shop['feedback'].pk}/", "/search/"]


@given(data=st.data())
@FUZZ
def test_filter_forms_take_any_text(analyst_user, shop, settings, tmp_path, data):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"  # never built: the search page says so, no 500
    client = _client(analyst_user)
    url = data.draw(st.sampled_from(_pages(shop)))
    params = data.draw(st.dictionaries(st.one_of(st.sampled_from(FILTER_KEYS), ODD_KEY), VALUE, max_size=6))
    response = client.get(url, params)
    assert response.status_code < 500, (url, params)


# --- Admin add and change forms --------------------------------------------------------------------

ADMIN_FORMS = {
    "accounts/customer": ["name", "email", "address", "city", "country", "latitude", "longitude",
                          "joined_at_0", "joined_at_1"],
    "catalog/product": ["sku", "name", "description", "category", "brand", "price", "attributes", "active",
                        "created_at_0", "created_at_1"],
    "sales/sale": ["customer", "product", "quantity", "unit_price", "discount", "sold_at_0", "sold_at_1",
                   "channel", "status", "external_id"],
    "feedback/feedback": ["customer", "product", "rating", "comment", "created_at_0", "created_at_1",
                          "external_id"],
}


def _admin_url(model: str, shop, change: bool) -> str:
    if not change:
        return f"/admin/{model}/add/"
    obj = {"accounts/customer": shop["customer"], "catalog/product": shop["product"], "sales/sale": shop["sale"],
           "feedback/feedback": shop["feedback"]}[model]
    return f"/admin/{model}/{obj.pk}/change/"


def _field_value(field: str, shop):
    ids = {"customer": str(shop["customer"].pk), "product": str(shop["product"].pk)}
    if field in ids:
        return st.one_of(st.just(ids[field]), VALUE)
    return VALUE


@pytest.mark.parametrize("model", list(ADMIN_FORMS))
@pytest.mark.parametrize("change", [False, True], ids=["add", "change"])
@given(data=st.data())
@FUZZ
def test_admin_forms_take_any_text(staff_user, shop, model, change, data):
    client = _client(staff_user)
    fields = ADMIN_FORMS[model]
    chosen = data.draw(st.lists(st.sampled_from(fields), unique=True, max_size=len(fields)))
    form = {name: data.draw(_field_value(name, shop)) for name in chosen}
    url = _admin_url(model, shop, change)
    response = client.post(url, form)
    assert response.status_code < 500, (url, form)
    assert client.get(url).status_code < 500, url


def test_the_admin_forms_listed_are_every_record_form(staff_user, rf):
    """A new field in a model's admin form must be fuzzed too."""
    from django.contrib import admin

    from accounts.models import Customer
    from catalog.models import Product
    from feedback.models import Feedback
    from sales.models import Sale

    request = rf.get("/admin/")
    request.user = staff_user
    for model, key in ((Customer, "accounts/customer"), (Product, "catalog/product"), (Sale, "sales/sale"),
                       (Feedback, "feedback/feedback")):
        form_fields = set(admin.site._registry[model].get_form(request)().fields)
        listed = {name[:-2] if name[-2:] in ("_0", "_1") else name for name in ADMIN_FORMS[key]}
        assert form_fields <= listed, (key, form_fields - listed)
