"""What the fuzzer found, held: huge range bounds are a 400, unmatched /api/ URLs a JSON 404, and
every operation documents its error responses."""

import pytest
from django.test import Client

from core.api.schema import DESCRIPTIONS

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/sales/?quantity_max=9223372036854775808", "quantity"),
        ("/api/feedback/?rating_min=-99999999999999999999", "rating"),
        ("/api/products/?price_max=1e30", "price"),
    ],
)
def test_a_range_bound_past_64_bits_is_a_400_naming_it(analyst_client, url, field):
    response = analyst_client.get(url)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize("url", ["/api/nope/", "/api/users/a.b/", "/api/sales/x.y/refund/"])
def test_an_unmatched_api_url_is_a_json_404(staff_user, method, url):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = getattr(client, method)(url)
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_every_operation_documents_its_errors(client):
    schema = client.get("/api/schema/?format=json").json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            expected = {"400", "401", "403", "404", "429"} | ({"409"} if method != "get" else set())
            assert expected <= documented, (method, path)
    assert set(DESCRIPTIONS) == {"400", "401", "403", "404", "409", "429"}
