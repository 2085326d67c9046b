"""The worked example: the CDNOW sample log imported with --format cdnow; every line and customer
arrives and the dashboard, the sales page and search work on its 1997–1998 data."""

import gzip
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from accounts.models import Customer
from sales.models import Sale

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "cdnow" / "CDNOW_sample.txt.gz"
PERIOD = {"date_from": "1997-01-01", "date_to": "1998-06-30"}


def sample_lines():
    return [line.split() for line in gzip.open(SAMPLE, "rt") if line.strip()]


@pytest.fixture
def imported(settings, tmp_path, django_capture_on_commit_callbacks):
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.SEARCH_BACKEND = "embedded"
    call_command("search_index", "--rebuild", "-f", stdout=io.StringIO())  # an (empty) index to follow
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_data", "sales", "--format", "cdnow", str(SAMPLE), stdout=io.StringIO())
    return sample_lines()


def test_every_line_and_customer_arrives_with_its_dollars(imported):
    assert len(imported) == 6919
    assert Sale.objects.count() == len(imported)
    assert Customer.objects.count() == len({parts[0] for parts in imported}) == 2357
    dollars = sum(Decimal(parts[4]) for parts in imported)
    assert sum(Sale.objects.values_list("total", flat=True)) == dollars  # to the cent
    assert Sale.objects.aggregate(s=Sum("quantity"))["s"] == sum(int(p[3]) for p in imported)
    for sale in Sale.objects.all()[:500]:
        assert sale.total == sale.quantity * sale.unit_price - sale.discount
        assert 0 <= sale.discount < sale.quantity * Decimal("0.01")
    # A customer joined with their first order; their lines are numbered in order.
    first = Customer.objects.get(email="cdnow-00004@example.com")
    assert first.joined_at.date().isoformat() == "1997-01-01"
    assert sorted(first.sales.values_list("external_id", flat=True)) == [
        "cdnow-00004-001",
        "cdnow-00004-002",
        "cdnow-00004-003",
        "cdnow-00004-004",
    ]
    assert not Customer.objects.values("email").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_importing_it_again_adds_nothing(imported):
    out = io.StringIO()
    call_command("import_data", "sales", "--format", "cdnow", str(SAMPLE), stdout=out)
    assert f"0 created, 0 updated, {len(imported):,} unchanged" in out.getvalue()


def test_dashboard_sales_page_and_search_on_1997_data(imported, analyst_client):
    dollars = float(sum(Decimal(parts[4]) for parts in imported))
    page = analyst_client.get("/", PERIOD)
    assert page.status_code == 200
    kpis = analyst_client.get("/api/analytics/kpis/", PERIOD).json()
    assert kpis["revenue"]["value"] == pytest.approx(dollars)
    assert kpis["orders"]["value"] == len(imported)
    for name in ("revenue_over_time", "top_products", "sales_by_city", "new_customers_over_time"):
        assert analyst_client.get(f"/api/analytics/{name}/", PERIOD).status_code == 200, name
    assert analyst_client.get("/sales/", PERIOD).status_code == 200
    table = analyst_client.get("/sales/table/", {**PERIOD, "draw": 1, "start": 0, "length": 10}).json()
    assert table["recordsFiltered"] == len(imported)
    customer = Customer.objects.get(email="cdnow-00004@example.com")
    assert analyst_client.get(customer.get_absolute_url(), PERIOD).status_code == 200
    found = analyst_client.get("/api/search/", {"q": "CDNOW customer 00004"}).json()
    assert any(r["type"] == "customer" and r["title"].endswith("00004") for r in found["results"])
