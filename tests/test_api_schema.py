"""The OpenAPI schema is generated cleanly from the code, and the docs work without a CDN."""

import re

import pytest
import yaml
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from analytics.api import extra_params
from analytics.figures import FIGURES

# Only our endpoints: /api/search/ belongs to the search app and is checked there.
urlpatterns = [path("api/", include("ecommerce_analytics.api_urls"))]

LISTS = {"/api/users/": "PaginatedCustomerList", "/api/products/": "PaginatedProductList",
         "/api/sales/": "PaginatedSaleList", "/api/feedback/": "PaginatedFeedbackList"}


@pytest.fixture(scope="module")
def schema():
    GENERATOR_STATS.reset()
    generated = SchemaGenerator(patterns=urlpatterns).get_schema(request=None, public=True)
    problems = dict(GENERATOR_STATS._warn_cache) | dict(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    assert not problems, problems
    return generated


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)


def test_every_endpoint_is_documented(schema):
    paths = set(schema["paths"])
    for url in LISTS:
        assert {url, url + "{id}/"} <= paths
    assert "/api/sales/{id}/refund/" in paths
    assert {f"/api/analytics/{name}/" for name in FIGURES} | {"/api/analytics/"} <= paths
    assert not [p for p in paths if "{name}" in p]  # the unknown-figure catch-all stays out


def test_ids_are_strings_in_paths_bodies_and_filters(schema):
    for url, operations in schema["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path" or parameter["name"] in ("product", "customer"):
                    assert parameter["schema"]["type"] == "string", (url, parameter)
    components = schema["components"]["schemas"]
    for name in ("Customer", "Product", "Sale", "Feedback"):
        assert components[name]["properties"]["id"] == {"type": "string", "readOnly": True}
    for name in ("Sale", "Feedback", "SaleRequest", "PatchedFeedbackRequest"):
        assert components[name]["properties"]["product"]["type"] == "string"
        assert components[name]["properties"]["customer"]["type"] == "string"


def test_lists_document_filters_ordering_paging_and_csv(schema):
    shared = {"date_from", "date_to", "search", "ordering", "format"}
    expected = {
        "/api/users/": shared | {"city", "country", "page", "page_size"},
        "/api/products/": {"category", "brand", "price_min", "price_max", "active", "search", "ordering",
                           "format", "page", "page_size"},
        "/api/sales/": shared | {"category", "product", "customer", "channel", "status", "quantity_min",
                                 "quantity_max", "cursor", "page_size"},
        "/api/feedback/": shared | {"category", "product", "customer", "rating_min", "rating_max", "cursor",
                                    "page_size"},
    }
    for url, names in expected.items():
        operation = schema["paths"][url]["get"]
        assert {p["name"] for p in operation["parameters"]} == names, url
        ordering = next(p for p in operation["parameters"] if p["name"] == "ordering")
        assert ordering["schema"]["type"] == "string"
        response = operation["responses"]["200"]["content"]
        assert response["application/json"]["schema"]["$ref"].endswith(LISTS[url])
        assert "text/csv" in response


def test_each_figure_has_its_own_documentation(schema):
    for name, fn in FIGURES.items():
        operation = schema["paths"][f"/api/analytics/{name}/"]["get"]
        assert operation["operationId"] == f"analytics_{name}"
        assert operation["description"].split("\n")[0] == fn.__doc__.strip().split("\n")[0]
        more = set(extra_params(fn))  # e.g. channel on the cohort figures
        assert {p["name"] for p in operation["parameters"]} == {"date_from", "date_to", "category", *more}
    assert extra_params(FIGURES["cohort_retention"]) == ("channel", "period")
    assert extra_params(FIGURES["repeat_purchase"]) == ("channel",)


def test_token_auth_is_described(schema):
    assert schema["components"]["securitySchemes"]["tokenAuth"]["type"] == "apiKey"
    assert "manage.py api_token" in schema["info"]["description"]


@pytest.mark.django_db
def test_schema_endpoint_serves_yaml_and_json(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    served = yaml.safe_load(response.content)
    assert served["info"]["title"] == "E-commerce Analytics API"
    assert "/api/sales/{id}/refund/" in served["paths"]
    assert client.get("/api/schema/", {"format": "json"}).json()["openapi"].startswith("3.")


@pytest.mark.django_db
def test_docs_load_their_assets_from_this_server(client):
    html = client.get("/api/docs/").content.decode()
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle.js" in a for a in assets), assets
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/"), asset
        assert client.get(asset).status_code == 200, asset
    assert "cdn" not in html.lower()


def test_explain_is_documented_with_its_own_parameters(schema):
    operation = schema["paths"]["/api/analytics/explain/"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) == {"figure", "dimension", "date_from", "date_to", "category", "compare"}
    assert parameters["figure"]["required"] is True
    assert parameters["compare"]["schema"]["enum"] == ["previous", "year"]
    assert "rate" in operation["description"]
    figures = parameters["figure"]["schema"]["enum"]
    assert {"active_customers", "new_customers", "units", "average_rating"} <= set(figures)
