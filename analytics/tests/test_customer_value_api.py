"""/api/analytics/customer_values/ and its fit: paged, filtered, sorted; bad input is a 400 naming it."""

import io

import pytest
from django.core.management import call_command

from analytics.customer_value import SLIP_DROP

from .test_customer_value import _load_cdnow_sample

pytestmark = pytest.mark.django_db
LIST, FIT = "/api/analytics/customer_values/", "/api/analytics/customer_values/fit/"


@pytest.fixture
def fitted(db):
    _load_cdnow_sample()
    call_command("clv_fit", "--calibration-end", "1997-09-30", stdout=io.StringIO())


def test_the_fit(analyst_client, fitted):
    fit = analyst_client.get(FIT).json()
    assert fit["calibration_end"] == "1997-09-30" and fit["customers"] == 2357
    assert round(fit["bgnbd"]["r"], 3) == 0.243 and round(fit["gamma_gamma"]["gamma"], 2) == 15.44
    assert fit["gamma_gamma"]["customers"] == 946  # repeat buyers in the calibration, as in the paper
    assert fit["holdout"] is None  # fitted without --holdout-end


def test_pages_of_the_ranked_list(analyst_client, fitted):
    first = analyst_client.get(LIST, {"page_size": 50}).json()
    assert first["count"] == 2357 and len(first["results"]) == 50
    second = analyst_client.get(first["next"]).json()
    values = [float(r["predicted_value_12m"]) for r in first["results"] + second["results"]]
    assert values == sorted(values, reverse=True)
    assert {r["customer"] for r in first["results"]}.isdisjoint(r["customer"] for r in second["results"])
    row = first["results"][0]
    assert row["customer_email"].startswith("cdnow-") and isinstance(row["customer"], str)
    slipping = analyst_client.get(LIST, {"slipping": "true", "ordering": "probability_alive_change"}).json()
    changes = [r["probability_alive_change"] for r in slipping["results"]]
    assert 0 < slipping["count"] < 2357 and changes == sorted(changes) and max(changes) <= -SLIP_DROP
    found = analyst_client.get(LIST, {"search": row["customer_email"]}).json()
    assert [r["customer"] for r in found["results"]] == [row["customer"]]


@pytest.mark.parametrize("params, field", [
    ({"slipping": "perhaps"}, "slipping"),
    ({"ordering": "name"}, "ordering"),
    ({"page_size": "0"}, "page_size"),
    ({"min_value": "3"}, "min_value"),
])
def test_bad_parameters_are_400s_naming_them(analyst_client, params, field):
    # Checked before any row is read: no fit needed.
    response = analyst_client.get(LIST, params)
    assert response.status_code == 400 and field in response.json()


def test_both_endpoints_are_in_the_openapi_schema():
    from django.urls import include, path
    from drf_spectacular.generators import SchemaGenerator

    patterns = [path("api/", include("ecommerce_analytics.api_urls"))]
    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)
    listing = schema["paths"][LIST]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "slipping", "search", "ordering", "page", "page_size", "format"}
    content = listing["responses"]["200"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("PaginatedCustomerValueList")
    assert "text/csv" in content
    fit = schema["paths"][FIT]["get"]
    assert fit["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("CustomerValueFit")
    assert "404" in fit["responses"]
