"""clv_fit on the shop's own sales: the CDNOW sample loaded as sales reproduces the published BG/NBD and
Gamma-Gamma estimates, and every customer gets a stored prediction."""

import datetime as dt
import io
import json
from decimal import Decimal

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Customer
from analytics.customer_value import NO_SALES
from analytics.models import CustomerValue, CustomerValueFit
from catalog.models import Product
from sales.models import Sale

from .test_clv import CDNOW, PUBLISHED_BGNBD

pytestmark = pytest.mark.django_db
UTC = dt.timezone.utc


def _load_cdnow_sample():
    """The 2,357 customers' 6,919 purchases as sales (one line per purchase, total = dollars)."""
    raw = np.loadtxt(CDNOW / "CDNOW_sample.txt.gz")
    days = {int(d) for d in raw[:, 2]}
    when = {d: dt.datetime(d // 10000, d // 100 % 100, d % 100, 12, tzinfo=UTC) for d in days}
    first = {}
    for row in raw:
        first[int(row[1])] = min(first.get(int(row[1]), int(row[2])), int(row[2]))
    customers = Customer.objects.bulk_create([
        Customer(name=f"CDNOW {cid}", email=f"cdnow-{cid:05d}@example.com", city="Unknown", country="US",
                 joined_at=when[day].replace(hour=0)) for cid, day in sorted(first.items())
    ])
    by_id = {int(c.name.split()[1]): c for c in customers}
    cd = Product.objects.create(sku="CD", name="CD", category="Music", price=Decimal("10.00"),
                                created_at=dt.datetime(1997, 1, 1, tzinfo=UTC))
    Sale.objects.bulk_create([
        Sale(customer=by_id[int(row[1])], product=cd, quantity=1, unit_price=Decimal(str(row[4])),
             total=Decimal(str(row[4])), sold_at=when[int(row[2])])
        for row in raw
    ], batch_size=2000)
    return len(raw), len(first)


def test_clv_fit_json_gives_the_published_cdnow_estimates():
    lines, customers = _load_cdnow_sample()
    assert (lines, customers) == (6919, 2357)
    out, err = io.StringIO(), io.StringIO()
    call_command("clv_fit", "--calibration-end", "1997-09-30", "--holdout-end", "1998-06-30", "--json",
                 stdout=out, stderr=err)
    fitted = json.loads(out.getvalue())
    b, g = fitted["bgnbd"], fitted["gamma_gamma"]
    assert tuple(round(b[k], 3) for k in ("r", "alpha", "a", "b")) == PUBLISHED_BGNBD
    assert round(b["log_likelihood"], 1) == -9582.4
    assert (round(g["p"], 2), round(g["q"], 2), round(g["gamma"], 2)) == (6.25, 3.74, 15.44)
    assert fitted["customers"] == 2357
    # The 39-week holdout: 1,882 actual repeat purchases (same-day merged), each week listed.
    report = err.getvalue()
    weeks = [line.split() for line in report.splitlines()[2:]]
    assert "actual 1882" in report and [int(w[0]) for w in weeks] == list(range(1, 40))
    assert sum(int(w[1]) for w in weeks) == 1882

    values = CustomerValue.objects.all()
    assert values.count() == 2357
    assert all(0 <= v.probability_alive <= 1 and v.expected_orders_90d >= 0 for v in values)
    fit = CustomerValueFit.objects.get()
    assert (fit.calibration_end, fit.customers) == (dt.date(1997, 9, 30), 2357)
    # A customer who bought often and recently is worth more than one who bought once long ago.
    ranked = list(values.order_by("-predicted_value_12m").values_list("repeat_orders", flat=True))
    assert np.mean(ranked[:100]) > np.mean(ranked[-100:])


def test_a_refit_replaces_the_predictions():
    _load_cdnow_sample()
    call_command("clv_fit", "--calibration-end", "1997-09-30", stdout=io.StringIO())
    call_command("clv_fit", stdout=io.StringIO())  # up to the last sale, 1998-06-30
    assert CustomerValueFit.objects.get().calibration_end == dt.date(1998, 6, 30)
    assert CustomerValue.objects.count() == 2357


def test_without_sales_the_command_fails_and_writes_nothing():
    with pytest.raises(CommandError, match=NO_SALES.format(end="today")):
        call_command("clv_fit", stdout=io.StringIO())
    with pytest.raises(CommandError, match="--calibration-end must be a date"):
        call_command("clv_fit", "--calibration-end", "yesterday", stdout=io.StringIO())
    assert not CustomerValue.objects.exists() and not CustomerValueFit.objects.exists()


def test_the_customer_page_shows_the_prediction(analyst_client):
    _load_cdnow_sample()
    call_command("clv_fit", "--calibration-end", "1997-09-30", stdout=io.StringIO())
    value = CustomerValue.objects.order_by("-predicted_value_12m").select_related("customer").first()
    page = analyst_client.get(value.customer.get_absolute_url())
    assert page.status_code == 200
    assert page.context["value"]["predicted_value_12m"] == value.predicted_value_12m
    assert b"data-customer-value" in page.content and b"Chance still active" in page.content
    slipping = CustomerValue.objects.filter(probability_alive_change__lte=-0.1).order_by("probability_alive_change")
    fallen = slipping.select_related("customer").first()
    page = analyst_client.get(fallen.customer.get_absolute_url()).content.decode()
    points = round(fallen.probability_alive_change * 100)
    assert points <= -10 and f"<span data-alive-change>{points} pts</span>" in page
    never_bought = Customer.objects.create(
        name="New", email="new@example.com", city="Lisbon", country="PT",
        joined_at=dt.datetime(1998, 1, 1, tzinfo=UTC),
    )
    assert b"data-customer-value" not in analyst_client.get(never_bought.get_absolute_url()).content


def test_a_fit_without_finite_predictions_stores_nothing(monkeypatch):
    """Parameters at the edge of their range can make a prediction NaN: a clear error, no rows."""
    from analytics.clv import bgnbd

    _load_cdnow_sample()
    real = bgnbd.conditional_expected_transactions

    def with_a_nan(*args, **kwargs):
        out = real(*args, **kwargs)
        out[3] = np.nan
        return out

    monkeypatch.setattr("analytics.clv.bgnbd.conditional_expected_transactions", with_a_nan)
    with pytest.raises(CommandError, match="no usable prediction for 1 customer"):
        call_command("clv_fit", "--calibration-end", "1997-09-30", stdout=io.StringIO())
    assert not CustomerValue.objects.exists() and not CustomerValueFit.objects.exists()


@pytest.mark.parametrize("budget", [None, 8])
def test_the_stored_fit_and_the_command_say_whether_the_optimizer_converged(monkeypatch, budget):
    """A fit cut short (here by an evaluation budget too small for CDNOW) is stored and printed as
    not converged; the full budget converges and says nothing."""
    from analytics.clv import maximize

    if budget:
        monkeypatch.setattr(maximize, "EVALUATIONS", budget)
    _load_cdnow_sample()
    out = io.StringIO()
    call_command("clv_fit", "--calibration-end", "1997-09-30", stdout=out)
    fit = CustomerValueFit.objects.get()
    stored = fit.bgnbd["optimizer"], fit.gamma_gamma["optimizer"]
    assert [o["success"] for o in stored] == [not budget, not budget]
    assert all(o["nfev"] <= maximize.EVALUATIONS for o in stored)
    assert ("Not converged: BG/NBD, Gamma-Gamma." in out.getvalue()) == bool(budget)
