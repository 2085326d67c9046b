"""The worked example: the CDNOW sample log imported with --format cdnow; every line and customer
arrives and the dashboard, the sales page and search work on its 1997–1998 data."""

import datetime as dt
import gzip
import io
import json
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum

from accounts.models import Customer
from core.signals import records_seeded
from sales.models import Sale

pytestmark = pytest.mark.django_db
SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "cdnow" / "CDNOW_sample.txt.gz"
PERIOD = {"date_from": "1997-01-01", "date_to": "1998-06-30"}


def sample_lines():
    return [line.split() for line in gzip.open(SAMPLE, "rt") if line.strip()]


def _import(capture) -> "Lines":
    out, err = io.StringIO(), io.StringIO()
    with capture(execute=True):  # the import's on-commit steps: the records_seeded receivers, the fit
        call_command("import_data", "sales", "--format", "cdnow", str(SAMPLE), stdout=out, stderr=err)
    return Lines(sample_lines(), out=out.getvalue(), err=err.getvalue())


@pytest.fixture
def imported(settings, tmp_path, django_capture_on_commit_callbacks):
    """The sample imported as a shop would: rollups rebuilt and the search index following."""
    settings.SEARCH_INDEX_DIR = tmp_path / "search"
    settings.SEARCH_BACKEND = "embedded"
    call_command("search_index", "--rebuild", "-f", stdout=io.StringIO())  # an (empty) index to follow
    return _import(django_capture_on_commit_callbacks)


@pytest.fixture
def imported_records(django_capture_on_commit_callbacks):
    """The sample imported with the lifetime-value step but without the records_seeded receivers
    (rollups, search): what the tests of the records and the fit read, at a fraction of the cost
    on MongoDB; `imported` covers the receivers."""
    with mock.patch.object(records_seeded, "receivers", []):
        return _import(django_capture_on_commit_callbacks)


class Lines(list):
    """The sample's lines, and what the import printed."""

    def __init__(self, lines, *, out: str, err: str):
        super().__init__(lines)
        self.out, self.err = out, err


def test_every_line_and_customer_arrives_with_its_dollars(imported_records):
    imported = imported_records
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


def test_importing_it_again_adds_nothing(imported_records):
    imported = imported_records
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


# The published estimates (Fader, Hardie & Lee 2005, the 2,357-customer sample, calibration
# through 1997-09-30), to the precision the papers print.
PUBLISHED_BGNBD = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
PUBLISHED_GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "gamma": 15.44}


def test_clv_fit_on_the_imported_log_gives_the_published_estimates_and_the_holdout(imported_records):
    """Raw transaction file → import_data (CDNOW adapter) → clv_fit --json."""
    imported = imported_records
    from analytics.models import CustomerValue, CustomerValueFit

    # The import fitted every sale itself, as a step after the import's summary.
    assert "Fitting lifetime value (clv_fit)…" in imported.err
    assert "Lifetime value: Fitted on 2,357 customers' sales up to 1998-06-30" in imported.out
    assert imported.out.index("Imported sales:") < imported.out.index("Lifetime value:")
    assert CustomerValueFit.objects.get().calibration_end == dt.date(1998, 6, 30)

    out, err = io.StringIO(), io.StringIO()
    call_command("clv_fit", "--json", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30",
                 stdout=out, stderr=err)
    fitted = json.loads(out.getvalue())
    assert {k: round(fitted["bgnbd"][k], 3) for k in PUBLISHED_BGNBD} == PUBLISHED_BGNBD
    assert round(fitted["bgnbd"]["log_likelihood"], 1) == -9582.4
    assert {k: round(v, 2) for k, v in fitted["gamma_gamma"].items()} == PUBLISHED_GAMMA_GAMMA
    assert fitted["customers"] == 2357

    # The 39-week holdout, total and week by week, against the purchases of the raw file itself:
    # a customer's lines on one day are one transaction (the papers' convention).
    days = {(parts[0], parts[2]) for parts in imported}
    holdout_days = sorted(dt.date(int(d[:4]), int(d[4:6]), int(d[6:])) for _, d in days if d > "19970930")
    weekly = [0] * 39
    for day in holdout_days:
        weekly[(day - dt.date(1997, 10, 1)).days // 7] += 1
    report = err.getvalue().splitlines()
    assert report[0].startswith(f"holdout repeat transactions: actual {len(holdout_days)}, predicted ")
    rows = [line.split() for line in report[2:]]
    assert [int(r[0]) for r in rows] == list(range(1, 40))
    assert [int(r[1]) for r in rows] == weekly
    predicted = [float(r[2]) for r in rows]
    # A closed cohort that ages and drops out buys less each week; the header's total is the weeks' sum.
    assert all(a >= b > 0 for a, b in zip(predicted, predicted[1:]))
    header_total = float(report[0].split("predicted ")[1].split()[0])
    assert header_total == pytest.approx(sum(predicted), abs=0.1 * 39)
    fit = CustomerValueFit.objects.get()
    assert fit.holdout["actual"] == len(holdout_days) and [w["actual"] for w in fit.holdout["weekly"]] == weekly
    assert CustomerValue.objects.count() == 2357
