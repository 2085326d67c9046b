"""Reads of the stored lifetime-value fit: one customer's prediction, the fit, the ranked list."""

from django.db.models import QuerySet

from analytics.customer_value.filters import CustomerValueFilter
from analytics.models import CustomerValue, CustomerValueFit
from core.filtersets import apply_filters

NO_FIT = (
    "No lifetime-value fit yet: run `manage.py clv_fit` (seed_data and import_data run it after loading; "
    "a fit needs at least 10 customers with a repeat order)."
)


def customer_value_fit_get() -> CustomerValueFit | None:
    """The last fit (parameters, fit quality, holdout when one was asked for), or None."""
    return CustomerValueFit.objects.order_by().first()


def customer_value_get(*, customer_id) -> dict | None:
    """The customer's stored prediction with the date it was fitted to, or None (no fit, or the
    customer had not bought by its calibration end)."""
    value = CustomerValue.objects.filter(customer_id=customer_id).first()
    fit = customer_value_fit_get() if value else None
    if not (value and fit):
        return None
    return {
        "probability_alive": value.probability_alive,
        "probability_alive_change": value.probability_alive_change,
        "expected_orders_90d": value.expected_orders_90d,
        "predicted_value_12m": value.predicted_value_12m,
        "calibration_end": fit.calibration_end,
    }


def customer_value_list(*, filters: dict | None = None) -> QuerySet[CustomerValue]:
    """Customers' predictions, highest predicted 12-month value first (``slipping``, ``search``,
    ``ordering`` as CustomerValueFilter reads them); a bad value raises ValidationError."""
    qs = CustomerValue.objects.order_by("-predicted_value_12m", "-pk")
    return apply_filters(CustomerValueFilter, filters, qs) if filters else qs
