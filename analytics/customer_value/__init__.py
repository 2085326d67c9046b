"""Predicted lifetime value: the fit (``fit``, run by ``manage.py clv_fit``), its reads
(``selectors``), the list's filters, table and API. Callers import from here."""

from analytics.customer_value.fit import (
    HOLDOUT_ORDER,
    NO_SALES,
    NOT_FITTED,
    SLIP_WINDOW_DAYS,
    TOO_FEW_REPEATS,
    FitResult,
    clv_fit,
    clv_fit_after_load,
    latest_sale_day,
)
from analytics.customer_value.filters import SLIP_DROP
from analytics.customer_value.selectors import (
    NO_FIT,
    customer_value_fit_get,
    customer_value_get,
    customer_value_list,
)

__all__ = [
    "HOLDOUT_ORDER", "NOT_FITTED", "NO_FIT", "NO_SALES", "SLIP_DROP", "SLIP_WINDOW_DAYS", "TOO_FEW_REPEATS", "FitResult",
    "clv_fit", "clv_fit_after_load", "customer_value_fit_get", "customer_value_get", "customer_value_list",
    "latest_sale_day",
]
