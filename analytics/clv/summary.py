"""From a transaction log to the per-customer summaries the BG/NBD and Gamma-Gamma papers use.

Conventions (those of Fader, Hardie & Lee 2005 and of Hardie's CDNOW summary file; they are the
ones that reproduce the papers' estimates exactly, see ``analytics/tests/test_clv.py``):

* Dates are whole days. A customer's transactions on one day are merged into one transaction
  whose amount is the day's total.
* The time unit is the week: a time is ``(day - customer's first day) / 7``, fractional.
* The first transaction marks the customer's birth and is not a repeat transaction.
* ``x``  number of repeat transactions (distinct later days) on or before ``calibration_end``.
* ``t_x`` time of the last transaction since the first (0 when ``x == 0``).
* ``T``  time from the first transaction to ``calibration_end``, measured from day to day, so a
  customer first seen on 1997-01-01 with ``calibration_end=1997-09-30`` has
  ``T = 272 / 7 = 38.857`` (not 39.0): the calibration end day counts as a point in time like
  any transaction day, and a transaction on that day has ``t_x == T``.
* ``monetary_value`` mean amount of the repeat transactions only (the first is left out),
  0 when ``x == 0``.

Customers whose first transaction falls after ``calibration_end`` are not in the cohort and are
left out of the summary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

WEEK_DAYS = 7


def as_days(dates) -> np.ndarray:
    """Dates (``datetime64``, ``date``/``datetime`` objects or ISO strings) as ``datetime64[D]``."""
    return np.asarray(dates, dtype="datetime64[D]")


def parse_yyyymmdd(values) -> np.ndarray:
    """Integers or strings like ``19970101`` as ``datetime64[D]``."""
    ints = np.asarray(values).astype(np.int64)
    years, rest = np.divmod(ints, 10000)
    months, days = np.divmod(rest, 100)
    start = (years - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (months - 1)
    return start.astype("datetime64[D]") + (days - 1)


@dataclass(frozen=True)
class RFMSummary:
    """One row per customer, sorted by customer id. Times are in ``time_unit_days`` units."""

    customer_id: np.ndarray
    x: np.ndarray
    t_x: np.ndarray
    T: np.ndarray
    monetary_value: np.ndarray
    first_day: np.ndarray
    calibration_end: np.datetime64
    time_unit_days: float = WEEK_DAYS

    def __len__(self) -> int:
        return len(self.customer_id)

    @property
    def birth(self) -> np.ndarray:
        """Each customer's first transaction in time units after the earliest first transaction."""
        return (self.first_day - self.first_day.min()).astype(np.float64) / self.time_unit_days


def _merge_same_day(customer_ids, dates, amounts):
    """Unique (customer, day) pairs sorted by customer then day, with summed amounts."""
    customer_ids = np.asarray(customer_ids)
    days = as_days(dates)
    if customer_ids.shape != days.shape:
        raise ValueError("customer_ids and dates must have the same length")
    if amounts is None:
        amounts = np.zeros(len(days))
    amounts = np.asarray(amounts, dtype=np.float64)
    if amounts.shape != days.shape:
        raise ValueError("amounts must have the same length as dates")
    if np.isnat(days).any():
        raise ValueError("dates must not be missing")
    customers, cust_idx = np.unique(customer_ids, return_inverse=True)
    day_num = days.astype(np.int64)
    order = np.lexsort((day_num, cust_idx))
    cust_idx, day_num, amounts = cust_idx[order], day_num[order], amounts[order]
    new = np.ones(len(day_num), dtype=bool)
    new[1:] = (cust_idx[1:] != cust_idx[:-1]) | (day_num[1:] != day_num[:-1])
    starts = np.flatnonzero(new)
    merged_amounts = np.add.reduceat(amounts, starts) if len(starts) else amounts[:0]
    return customers, cust_idx[starts], day_num[starts], merged_amounts


def rfm_summary(
    customer_ids,
    dates,
    amounts=None,
    *,
    calibration_end,
    time_unit_days: float = WEEK_DAYS,
) -> RFMSummary:
    """Per-customer ``x``, ``t_x``, ``T`` and repeat-transaction mean amount up to ``calibration_end``.

    ``calibration_end`` is inclusive: transactions on that day belong to the calibration period.
    See the module docstring for the conventions.
    """
    end = np.datetime64(calibration_end, "D").astype(np.int64)
    customers, cust, day, amount = _merge_same_day(customer_ids, dates, amounts)
    keep = day <= end
    cust, day, amount = cust[keep], day[keep], amount[keep]

    present = np.unique(cust)  # customers born by calibration_end, ascending
    n = len(present)
    # rows are sorted by customer then day, so each customer's rows form one run
    run_start = np.searchsorted(cust, present, side="left")
    run_end = np.searchsorted(cust, present, side="right")
    count = run_end - run_start
    first = day[run_start]
    last = day[run_end - 1]

    is_repeat = np.ones(len(day), dtype=bool)
    is_repeat[run_start] = False
    repeat_sum = np.zeros(n)
    np.add.at(repeat_sum, np.searchsorted(present, cust[is_repeat]), amount[is_repeat])
    x = count - 1
    monetary = np.divide(repeat_sum, x, out=np.zeros(n), where=x > 0)

    return RFMSummary(
        customer_id=customers[present],
        x=x.astype(np.int64),
        t_x=(last - first) / time_unit_days,
        T=(end - first) / time_unit_days,
        monetary_value=monetary,
        first_day=first.astype("datetime64[D]"),
        calibration_end=np.datetime64(calibration_end, "D"),
        time_unit_days=time_unit_days,
    )


@dataclass(frozen=True)
class Holdout:
    """Repeat transactions after the calibration period.

    ``x_star[i]`` belongs to ``summary.customer_id[i]``; ``weekly[k]`` counts the (same-day merged)
    transactions of the summary's customers in holdout period ``k`` (periods of
    ``time_unit_days`` days starting the day after ``calibration_end``; the last one may be
    shorter when the holdout length is not a whole number of periods).
    """

    x_star: np.ndarray
    weekly: np.ndarray
    duration: float  # holdout length in time units

    @property
    def total(self) -> int:
        return int(self.x_star.sum())


def holdout_summary(summary: RFMSummary, customer_ids, dates, *, holdout_end) -> Holdout:
    """Count each calibration customer's transactions in ``(calibration_end, holdout_end]``.

    Every such transaction is a repeat one (the customer's first was in the calibration period).
    Same-day transactions are merged, as in :func:`rfm_summary`. Customers not in ``summary``
    (first seen after the calibration period) are ignored.
    """
    unit = summary.time_unit_days
    cal_end = summary.calibration_end.astype(np.int64)
    end = np.datetime64(holdout_end, "D").astype(np.int64)
    if end <= cal_end:
        raise ValueError("holdout_end must be after the calibration end")
    customers, cust, day, _ = _merge_same_day(customer_ids, dates, None)
    ids = customers[cust]
    keep = (day > cal_end) & (day <= end)
    ids, day = ids[keep], day[keep]

    pos = np.searchsorted(summary.customer_id, ids)
    pos_clipped = np.minimum(pos, len(summary.customer_id) - 1)
    known = (pos < len(summary.customer_id)) & (summary.customer_id[pos_clipped] == ids)
    x_star = np.bincount(pos[known], minlength=len(summary)).astype(np.int64)

    n_days = int(end - cal_end)
    n_periods = int(np.ceil(n_days / unit))
    period = ((day[known] - cal_end - 1) // unit).astype(np.int64)
    weekly = np.bincount(period, minlength=n_periods).astype(np.int64)
    return Holdout(x_star=x_star, weekly=weekly, duration=n_days / unit)


def weekly_repeat_transactions(summary: RFMSummary, customer_ids, dates, *, end) -> np.ndarray:
    """Repeat transactions of the summary's customers per week from the cohort's first day to ``end``.

    Week ``k`` (0-based) covers days ``[origin + 7k, origin + 7k + 6]`` where ``origin`` is the
    earliest first transaction; the paper's weekly tracking plots use this, calibration and
    holdout together.
    """
    unit = summary.time_unit_days
    origin = summary.first_day.min().astype(np.int64)
    end_day = np.datetime64(end, "D").astype(np.int64)
    customers, cust, day, _ = _merge_same_day(customer_ids, dates, None)
    first_row = np.ones(len(cust), dtype=bool)
    first_row[1:] = cust[1:] != cust[:-1]
    ids = customers[cust]
    in_summary = np.isin(ids, summary.customer_id)
    keep = ~first_row & in_summary & (day <= end_day)
    n_periods = int(np.ceil((end_day - origin + 1) / unit))
    period = ((day[keep] - origin) // unit).astype(np.int64)
    return np.bincount(period, minlength=n_periods).astype(np.int64)
