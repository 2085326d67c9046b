"""The browsable API (session login) renders every list and record, with its filter form."""

import pytest
from django.core.cache import cache

from feedback.tests.factories import FeedbackFactory
from sales.tests.factories import SaleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_throttles():
    cache.clear()


@pytest.mark.parametrize("who", ["analyst_client", "staff_client"])
def test_html_pages_render(request, who):
    client = request.getfixturevalue(who)
    sale = SaleFactory()
    feedback = FeedbackFactory()
    urls = ["/api/", "/api/users/", "/api/products/", "/api/sales/", "/api/feedback/", "/api/analytics/",
            "/api/analytics/kpis/", f"/api/sales/{sale.pk}/", f"/api/feedback/{feedback.pk}/",
            f"/api/users/{sale.customer.pk}/", f"/api/products/{sale.product.pk}/",
            "/api/sales/?category=Books"]
    for url in urls:
        response = client.get(url, HTTP_ACCEPT="text/html")
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html"), url
    html = client.get("/api/sales/", HTTP_ACCEPT="text/html").content.decode()
    assert 'name="date_from"' in html and 'name="ordering"' in html  # django-filter's form
    assert sale.product.name in html


def test_login_form_signs_in_for_the_browsable_api(client, analyst_user):
    response = client.post("/api/auth/login/?next=/api/sales/",
                           {"username": "ana", "password": "analyst-pass-123"})
    assert response.status_code == 302 and response["Location"] == "/api/sales/"
    assert client.get("/api/sales/").status_code == 200
