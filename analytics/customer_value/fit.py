"""Predicted customer lifetime value from the shop's completed sales (``manage.py clv_fit``).

The models are ``analytics.clv`` (BG/NBD and Gamma-Gamma, fitted by maximum likelihood in the
papers' conventions: weeks, same-day orders merged, the first order not a repeat, spend per order
the mean of the repeat orders). This module reads the sales, fits, and stores one CustomerValue per
customer plus the fit, replacing the previous ones in one transaction.

"Slipping" compares each customer's P(alive) now with the same fit's P(alive) on their history up
to ``SLIP_WINDOW_DAYS`` before the calibration end: one fit, two points in time, so the change is
the customer's own silence (or return) and not a shift of the parameters between two fits, and
the list exists from the first fit on.
"""

import datetime as dt
import time
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

import numpy as np
from django.db import DatabaseError, connection
from django.db.models import CharField
from django.db.models.functions import Cast
from django.utils import timezone

from analytics.clv import bgnbd, gamma_gamma
from analytics.clv.summary import holdout_summary, rfm_summary
from analytics.models import CustomerValue, CustomerValueFit
from core.dates import earliest_datetime
from core.db import atomic
from sales.models import Sale

NO_SALES = "There are no completed sales on or before {end}: nothing to fit."
HOLDOUT_ORDER = "--holdout-end must be after the calibration end."
TOO_FEW_REPEATS = "Too few customers with a repeat order ({n}) to fit the spend model; need at least 10."
NOT_FINITE = "The fit gives no usable prediction for {n} customer(s) (too little history to tell buyers apart)."
NOT_FITTED = "Lifetime value not fitted: {error} The records are kept; `manage.py clv_fit` fits again later."
HORIZON_90D_WEEKS = 90 / 7
HORIZON_12M_WEEKS = 52.0
SLIP_WINDOW_DAYS = 90
BATCH = 5000


@dataclass(frozen=True)
class FitResult:
    calibration_end: dt.date
    customers: int
    bgnbd: dict
    gamma_gamma: dict
    holdout: str = ""  # predicted against actual repeat orders after the calibration end, when asked
    seconds: float = 0.0
    unconverged: tuple[str, ...] = ()  # models whose optimizer stopped without converging

    def line(self) -> str:
        b, g = self.bgnbd, self.gamma_gamma
        return (
            f"Fitted on {self.customers:,} customers' sales up to {self.calibration_end}: "
            f"BG/NBD r={b['r']:.3f} alpha={b['alpha']:.3f} a={b['a']:.3f} b={b['b']:.3f} "
            f"(log-likelihood {b['log_likelihood']:,.1f}); Gamma-Gamma p={g['p']:.2f} q={g['q']:.2f} "
            f"gamma={g['gamma']:.2f}."
        ) + (f" Not converged: {', '.join(self.unconverged)}." if self.unconverged else "")


def _sales_until(end: dt.date):
    """(customer keys, customer index per sale, UTC days, totals) of completed sales on or before
    ``end``: one range-first read, in columns. The day is the first ten characters of the
    timestamp as text (UTC on both backends) and the total is text too, parsed by numpy: text has
    no output converter, so no value goes one by one through Python datetimes, Decimals or floats."""
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.timezone.utc)
    rows = (
        Sale.objects.filter(sold_at__lt=until, status=Sale.Status.COMPLETED).order_by()
        .values_list("customer_id", Cast("sold_at", CharField()), Cast("total", CharField()))
        .iterator(chunk_size=BATCH)
    )
    # Each batch becomes arrays at once: the rows as Python tuples of an int and two texts were some
    # 220 bytes a sale (1M sales: the largest part of an import's peak memory), the arrays are 26.
    customers, stamps, totals = [], [], []
    while batch := list(islice(rows, BATCH)):
        ids, texts, amounts = zip(*batch, strict=True)
        customers.append(np.array(ids))  # ints, or ObjectIds on MongoDB
        stamps.append(np.array(texts, dtype="S10"))  # the day: the first ten characters
        totals.append(np.array(amounts, dtype=np.float64))
    if not customers:
        return None
    keys, ids = np.unique(np.concatenate(customers), return_inverse=True)
    return keys.tolist(), ids, _days(np.concatenate(stamps)), np.concatenate(totals)


def _days(stamps) -> np.ndarray:
    """``YYYY-MM-DD…`` texts as ``datetime64[D]``, from their digits (numpy's string parser is slow)."""
    digits = np.frombuffer(np.asarray(stamps, dtype="S10").tobytes(), dtype=np.uint8).reshape(-1, 10)

    def number(*at):  # a column at a time: all ten digits as int64 were 80 MB per 1M sales
        value = np.zeros(len(digits), dtype=np.int64)
        for i in at:
            value = value * 10 + (digits[:, i].astype(np.int64) - ord("0"))
        return value

    start = (number(0, 1, 2, 3) - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (number(5, 6) - 1)
    return start.astype("datetime64[D]") + (number(8, 9) - 1)


def latest_sale_day() -> dt.date | None:
    """The last completed sale's UTC day: the sold_at index walked from the end (a range-first read)."""
    last = (
        Sale.objects.filter(sold_at__gte=earliest_datetime(), status=Sale.Status.COMPLETED)
        .order_by("-sold_at").values_list("sold_at", flat=True).first()
    )
    return last.astimezone(dt.timezone.utc).date() if last else None


def clv_fit(*, calibration_end: dt.date | None = None, holdout_end: dt.date | None = None) -> FitResult:
    """Fit both models on completed sales up to ``calibration_end`` (default: the last sale's day)
    and store every customer's prediction; with ``holdout_end``, also compare the predicted repeat
    orders after the calibration end with the actual ones, in total and week by week.
    Raises ValueError (NO_SALES, TOO_FEW_REPEATS, HOLDOUT_ORDER)."""
    started = time.perf_counter()
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
    alive_before = _probability_alive_before(transactions, summary, ids, days, end=end)
    orders_90d = bgnbd.conditional_expected_transactions(
        transactions, HORIZON_90D_WEEKS, summary.x, summary.t_x, summary.T,
    )
    value_12m = gamma_gamma.predicted_value(
        transactions, spend, summary.x, summary.t_x, summary.T, summary.monetary_value,
        weeks=HORIZON_12M_WEEKS,
    )
    unusable = ~(np.isfinite(alive) & np.isfinite(orders_90d) & np.isfinite(value_12m))
    if unusable.any():  # parameters at the edge of their range (a flat likelihood): store nothing
        raise ValueError(NOT_FINITE.format(n=int(unusable.sum())))
    comparison = bgnbd.holdout_comparison(
        transactions, summary, holdout_summary(summary, ids, days, holdout_end=holdout_end),
    ) if holdout_end else None
    fit = CustomerValueFit(
        fitted_at=timezone.now(), calibration_end=end, customers=len(summary),
        bgnbd={"r": transactions.r, "alpha": transactions.alpha, "a": transactions.a, "b": transactions.b,
               "log_likelihood": transactions.log_likelihood, "optimizer": transactions.optimizer},
        gamma_gamma={"p": spend.p, "q": spend.q, "gamma": spend.gamma,
                     "log_likelihood": spend.log_likelihood, "customers": int((summary.x > 0).sum()),
                     "optimizer": spend.optimizer},
        holdout=_holdout_json(comparison, holdout_end) if comparison else None,
    )
    columns = {
        "customer_id": [keys[i] for i in summary.customer_id],
        "repeat_orders": summary.x.tolist(),
        "recency_weeks": summary.t_x.tolist(),
        "age_weeks": summary.T.tolist(),
        "average_repeat_order": np.round(summary.monetary_value, 2).tolist(),
        "probability_alive": alive.tolist(),
        "expected_orders_90d": orders_90d.tolist(),
        "predicted_value_12m": np.round(value_12m, 2).tolist(),
        "probability_alive_before": _nullable(alive_before),
        "probability_alive_change": _nullable(alive - alive_before),
    }
    with atomic():
        CustomerValue.objects.all().delete()
        CustomerValueFit.objects.all().delete()
        _insert(columns)
        fit.save()
    return FitResult(
        calibration_end=end, customers=len(summary),
        bgnbd={k: fit.bgnbd[k] for k in ("r", "alpha", "a", "b", "log_likelihood")},
        gamma_gamma={k: fit.gamma_gamma[k] for k in ("p", "q", "gamma")},
        holdout=comparison.report() if comparison else "",
        seconds=time.perf_counter() - started,
        unconverged=tuple(name for name, model in (("BG/NBD", transactions), ("Gamma-Gamma", spend))
                          if not model.optimizer["success"]),
    )


def _probability_alive_before(params, summary, ids, days, *, end: dt.date) -> np.ndarray:
    """P(alive) of each summary customer on their history up to SLIP_WINDOW_DAYS before ``end``,
    with the same parameters; NaN for customers who first bought after that day."""
    before_end = end - dt.timedelta(days=SLIP_WINDOW_DAYS)
    out = np.full(len(summary), np.nan)
    if summary.first_day.min() > np.datetime64(before_end, "D"):
        return out
    earlier = rfm_summary(ids, days, None, calibration_end=before_end)
    where = np.searchsorted(summary.customer_id, earlier.customer_id)  # both sorted, earlier ⊆ summary
    out[where] = bgnbd.probability_alive(params, earlier.x, earlier.t_x, earlier.T)
    return out


def _nullable(values: np.ndarray) -> list:
    return [None if v != v else v for v in values.tolist()]  # NaN → NULL


def _holdout_json(comparison, holdout_end: dt.date) -> dict:
    return {
        "holdout_end": holdout_end.isoformat(),
        "weeks": len(comparison.actual_weekly),
        "actual": comparison.actual_total,
        "predicted": comparison.predicted_total,
        "conditional": comparison.conditional_total,
        "weekly": [
            {"week": k + 1, "actual": int(a), "predicted": float(p)}
            for k, (a, p) in enumerate(zip(comparison.actual_weekly, comparison.predicted_weekly, strict=True))
        ],
    }


def _insert(columns: dict[str, list]) -> None:
    """The new rows: on SQLite one executemany (bulk_create prepares every value of 100k rows
    through its field, most of the fit's time); elsewhere bulk_create. The money columns go in
    as floats rounded to the cent, which SQLite's numeric column stores as bulk_create's text
    would be stored."""
    if connection.vendor == "sqlite":
        fields = [CustomerValue._meta.get_field(name) for name in columns]
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(CustomerValue._meta.db_table)} "
            f"({', '.join(quote(f.column) for f in fields)}) VALUES ({', '.join(['%s'] * len(fields))})"
        )
        with connection.cursor() as cursor:
            cursor.executemany(sql, zip(*columns.values(), strict=True))
        return
    money = ("average_repeat_order", "predicted_value_12m")
    rows = (
        CustomerValue(**{name: _money(v) if name in money else v for name, v in zip(columns, values, strict=True)})
        for values in zip(*columns.values(), strict=True)
    )
    CustomerValue.objects.bulk_create(rows, batch_size=BATCH)


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def clv_fit_after_load() -> tuple[FitResult | None, str]:
    """The lifetime-value step of seed_data and import_data: fit on every sale; the result and a
    line saying what happened. A fit that cannot be made (too few repeat customers, no sales…)
    gives None and the reason; it never fails the load before it, whose records are committed."""
    try:
        result = clv_fit()
    except (ValueError, ArithmeticError, DatabaseError) as exc:
        if not CustomerValue.objects.exists():  # its customers are gone (seed_data --clear)
            CustomerValueFit.objects.all().delete()
        return None, NOT_FITTED.format(error=exc)
    return result, f"Lifetime value: {result.line()} ({result.seconds:.1f} s)"
