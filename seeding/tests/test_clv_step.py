"""seed_data fits lifetime value after seeding, as a reported step; a fit that cannot be made is
reported and fails nothing."""

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.management import call_command

from analytics.customer_value import NOT_FITTED, TOO_FEW_REPEATS
from analytics.models import CustomerValue, CustomerValueFit
from core.signals import records_seeded
from sales.models import Sale

pytestmark = pytest.mark.django_db
UNTIL = "2026-06-30"


def seed(capture, *flags):
    """seed_data with its on-commit steps run; the fit reads the sales, so the records_seeded
    receivers (rollups, search: tested with the seed in test_data and tests/test_figures_seeding)
    are left out."""
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(records_seeded, "receivers", []), capture(execute=True):  # runs them inside the patch
        call_command("seed_data", *flags, "--seed=7", f"--until={UNTIL}", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def repeat_customers() -> int:
    days = {}
    for customer, sold_at in Sale.objects.filter(status=Sale.Status.COMPLETED).values_list("customer_id", "sold_at"):
        days.setdefault(customer, set()).add(sold_at.date())
    return sum(len(d) > 1 for d in days.values())


def test_seeding_fits_every_buyer(django_capture_on_commit_callbacks):
    out, err = seed(django_capture_on_commit_callbacks, "--users=150", "--products=20", "--sales=2000",
                    "--feedback=10")
    assert "Fitting lifetime value (clv_fit)…" in err
    assert out.index("Seeded 150 customers") < out.index("Lifetime value: Fitted on ")
    buyers = set(Sale.objects.filter(status=Sale.Status.COMPLETED).values_list("customer_id", flat=True))
    assert set(CustomerValue.objects.values_list("customer_id", flat=True)) == buyers
    last = max(Sale.objects.filter(status=Sale.Status.COMPLETED).values_list("sold_at", flat=True))
    assert CustomerValueFit.objects.get().calibration_end == last.astimezone(dt.timezone.utc).date()


def test_a_fit_that_cannot_be_made_is_reported_and_the_seed_kept(django_capture_on_commit_callbacks):
    seed(django_capture_on_commit_callbacks, "--users=150", "--products=20", "--sales=2000", "--feedback=10")
    out, err = seed(django_capture_on_commit_callbacks, "--clear", "--users=60", "--products=5", "--sales=12",
                    "--feedback=0")
    assert Sale.objects.count() == 12
    assert repeat_customers() < 10
    assert NOT_FITTED.format(error="")[:25] in err
    assert TOO_FEW_REPEATS.split("(")[0] in err
    assert "Lifetime value: Fitted" not in out
    # The cleared customers' predictions went with them, and so does their fit.
    assert not CustomerValue.objects.exists() and not CustomerValueFit.objects.exists()
