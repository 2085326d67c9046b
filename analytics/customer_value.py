"""Predicted customer lifetime value from the shop's completed sales (``manage.py clv_fit``).

The models are ``analytics.clv`` (BG/NBD and Gamma-Gamma, fitted by maximum likelihood in the
papers' conventions: weeks, same-day orders merged, the first order not a repeat, spend per order
the mean of the repeat orders). This module reads the sales, fits, and stores one CustomerValue per
customer plus the fit, replacing the previous ones in one transaction.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Max
from django.utils import timezone

from analytics.clv import bgnbd, gamma_gamma
from analytics.clv.summary import holdout_summary, rfm_summary
from analytics.models import CustomerValue, CustomerValueFit
from core.db import atomic
from sales.models import Sale

NO_SALES = "There are no completed sales on or before {end}: nothing to fit."
HOLDOUT_ORDER = "--holdout-end must be after the calibration end."
TOO_FEW_REPEATS = "Too few customers with a repeat order ({n}) to fit the spend model; need at least 10."
HORIZON_90D_WEEKS = 90 / 7
HORIZON_12M_WEEKS = 52.0
BATCH = 5000


@dataclass(frozen=True)
class FitResult:
    calibration_end: dt.date
    customers: int
    bgnbd: dict
    gamma_gamma: dict
    holdout: str = ""  # predicted against actual repeat orders after the calibration end, when asked


def _sales_until(end: dt.date):
    """(customer ids, UTC days, totals) of completed sales on or before ``end``: a range-first read."""
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.timezone.utc)
    rows = list(
        Sale.objects.filter(sold_at__lt=until, status=Sale.Status.COMPLETED).order_by()
        .values_list("customer_id", "sold_at", "total").iterator(chunk_size=BATCH)
    )
    if not rows:
        return None
    keys = sorted({c for c, _, _ in rows}, key=str)  # ObjectIds on MongoDB, integers on SQLite
    position = {key: i for i, key in enumerate(keys)}
    ids = np.fromiter((position[c] for c, _, _ in rows), dtype=np.int64, count=len(rows))
    days = np.array([s.astimezone(dt.timezone.utc).date() for _, s, _ in rows], dtype="datetime64[D]")
    totals = np.fromiter((float(t) for _, _, t in rows), dtype=np.float64, count=len(rows))
    return keys, ids, days, totals


def latest_sale_day() -> dt.date | None:
    last = Sale.objects.filter(status=Sale.Status.COMPLETED).aggregate(last=Max("sold_at"))["last"]
    return last.astimezone(dt.timezone.utc).date() if last else None


def clv_fit(*, calibration_end: dt.date | None = None, holdout_end: dt.date | None = None) -> FitResult:
    """Fit both models on completed sales up to ``calibration_end`` (default: the last sale's day)
    and store every customer's prediction; with ``holdout_end``, also compare the predicted repeat
    orders after the calibration end with the actual ones, in total and week by week.
    Raises ValueError (NO_SALES, TOO_FEW_REPEATS, HOLDOUT_ORDER)."""
    end = calibration_end or latest_sale_day()
    if holdout_end and end and holdout_end <= end:
        raise ValueError(HOLDOUT_ORDER)
    data = _sales_until(holdout_end or end) if end else None
    if data is None:
        raise ValueError(NO_SALES.format(end=end or "today"))
    keys, ids, days, totals = data
    summary = rfm_summary(ids, days, totals, calibration_end=end)
    if not len(summary):
        raise ValueError(NO_SALES.format(end=end))
    if int((summary.x > 0).sum()) < 10:
        raise ValueError(TOO_FEW_REPEATS.format(n=int((summary.x > 0).sum())))
    transactions = bgnbd.fit(summary.x, summary.t_x, summary.T)
    spend = gamma_gamma.fit(summary.x, summary.monetary_value)
    alive = bgnbd.probability_alive(transactions, summary.x, summary.t_x, summary.T)
    orders_90d = bgnbd.conditional_expected_transactions(
        transactions, HORIZON_90D_WEEKS, summary.x, summary.t_x, summary.T,
    )
    value_12m = gamma_gamma.predicted_value(
        transactions, spend, summary.x, summary.t_x, summary.T, summary.monetary_value,
        weeks=HORIZON_12M_WEEKS,
    )
    result = FitResult(
        calibration_end=end,
        customers=len(summary),
        bgnbd={"r": transactions.r, "alpha": transactions.alpha, "a": transactions.a, "b": transactions.b,
               "log_likelihood": transactions.log_likelihood},
        gamma_gamma={"p": spend.p, "q": spend.q, "gamma": spend.gamma},
        holdout=bgnbd.holdout_comparison(
            transactions, summary, holdout_summary(summary, ids, days, holdout_end=holdout_end),
        ).report() if holdout_end else "",
    )
    rows = (
        CustomerValue(
            customer_id=keys[index], repeat_orders=int(x), recency_weeks=float(t_x), age_weeks=float(T),
            average_repeat_order=_money(zbar), probability_alive=float(p), expected_orders_90d=float(n90),
            predicted_value_12m=_money(value),
        )
        for index, x, t_x, T, zbar, p, n90, value in zip(
            summary.customer_id, summary.x, summary.t_x, summary.T, summary.monetary_value, alive,
            orders_90d, value_12m, strict=True,
        )
    )
    with atomic():
        CustomerValue.objects.all().delete()
        CustomerValueFit.objects.all().delete()
        CustomerValue.objects.bulk_create(rows, batch_size=BATCH)
        CustomerValueFit.objects.create(
            fitted_at=timezone.now(), calibration_end=end, customers=result.customers,
            bgnbd=result.bgnbd, gamma_gamma=result.gamma_gamma,
        )
    return result


def customer_value_get(*, customer_id) -> dict | None:
    """The customer's stored prediction with the date it was fitted to, or None (no fit, or the
    customer had not bought by its calibration end)."""
    value = CustomerValue.objects.filter(customer_id=customer_id).first()
    fit = CustomerValueFit.objects.first() if value else None
    if not (value and fit):
        return None
    return {
        "probability_alive": value.probability_alive,
        "expected_orders_90d": value.expected_orders_90d,
        "predicted_value_12m": value.predicted_value_12m,
        "calibration_end": fit.calibration_end,
    }


def _money(value) -> Decimal:
    return Decimal(str(round(float(value), 2)))
