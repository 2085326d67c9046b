"""The cohorts page (/users/cohorts/): the retention heat map, a curve per cohort, repeat purchase, and
the customers behind a cell (/users/cohorts/customers/)."""

from urllib.parse import urlencode

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse

from accounts import tables as customer_tables
from analytics.figures.cached import figure_cached
from analytics.figures.cohorts import CHANNELS, PERIODS, UNKNOWN_CHANNEL, UNKNOWN_PERIOD
from analytics.figures.shared import kept_categories
from analytics.members import CohortMemberFilter, cohort_member_list
from analytics.rollups.version import version_current
from core.api.csv_export import csv_response
from core.pages import (
    Table,
    datatable_json,
    filter_bar,
    page_filters,
    reader_required,
    record_list_page,
)
from sales.models import Sale

# What a heat-map cell shows: (key, label, value of a cell, format, counts in the colour scale from offset 0).
SHOWS = (
    ("retention", "% buying that month", lambda cell, size: cell["retention"], "percent", False),
    ("customers", "Customers buying", lambda cell, size: cell["customers"], "count", False),
    ("repeat_rate", "% came back by then", lambda cell, size: cell["repeat_rate"], "percent", True),
    ("returned", "Came back by then", lambda cell, size: round(cell["repeat_rate"] * size), "count", True),
    ("revenue_per_customer", "Revenue per customer to date", lambda cell, size: cell["revenue_per_customer"],
     "money", True),
)
TEXT = {"percent": lambda v: f"{100 * v:.1f}%", "count": lambda v: f"{v:,}", "money": lambda v: f"{v:,.2f}"}
CHANNEL_LABELS = dict(Sale.Channel.choices)
CURVE_COHORTS = 12  # the retention chart draws the latest cohorts only; the table has them all


def _filters(request):
    filters = page_filters(request, extra_keys=("channel", "period", "show"))
    if filters.extra.get("channel") not in (None, *CHANNELS):
        filters.errors.append(f"Channel: {UNKNOWN_CHANNEL}")
        filters.extra.pop("channel")
    if filters.extra.get("period") not in (None, *PERIODS):
        filters.errors.append(f"Period: {UNKNOWN_PERIOD}")
        filters.extra.pop("period")
    if filters.extra.get("show") not in (None, *(s[0] for s in SHOWS)):
        filters.extra.pop("show")
    return filters


def _heat_rows(result: dict, *, show: str, link_params: dict) -> tuple[list[dict], str]:
    _, _, value_of, fmt, from_start = next(s for s in SHOWS if s[0] == show)
    period = result["period"]
    rows, top = [], 0
    for cohort in result["cohorts"]:
        cells = []
        for cell in cohort["cells"]:
            value = value_of(cell, cohort["customers"])
            if cell["offset"] or from_start:
                top = max(top, value)
            query = {**link_params, "cohort": cohort["cohort"], period: cell[period]}
            cells.append({**cell, "label": cell[period], "value": value,
                          "href": f"{reverse('accounts:cohort-customers')}?{urlencode(query)}"})
        rows.append({**cohort, "cells": cells})
    for row in rows:
        for cell in row["cells"]:
            # Offset 0 is every cohort's whole self (100%); the colours spread over the months after.
            level = min(cell["value"] / top, 1.0) if top else 0.0
            cell["alpha"] = f"{0.08 + 0.8 * level:.2f}" if cell["value"] else "0"
            cell["dark"] = level > 0.55
            cell["text"] = TEXT[fmt](cell["value"])
    return rows, fmt


@reader_required
def cohort_page(request):
    filters = _filters(request)
    show = filters.extra.get("show", SHOWS[0][0])
    channel = filters.extra.get("channel")
    period = filters.extra.get("period") or PERIODS[0]
    args = {"date_range": filters.date_range, "category": filters.category, "channel": channel,
            "version": version_current()}
    result = figure_cached("cohort_retention", **args, **({"period": period} if period != "month" else {}))
    scope = {k: v for k, v in {"category": filters.category, "channel": channel}.items() if v}
    rows, fmt = _heat_rows(result, show=show, link_params=scope)
    curves = {**result, "cohorts": result["cohorts"][-CURVE_COHORTS:]}
    bar = filter_bar(
        request, filters, categories=kept_categories(),
        dates_note="Dates pick the cohorts: the months (or ISO weeks) of the customers' first purchase.",
        selects=[{"name": "channel", "label": "Channel", "all_label": "All channels",
                  "options": [(c, CHANNEL_LABELS[c]) for c in CHANNELS]},
                 {"name": "period", "label": "Cohorts by", "all_label": "Month",
                  "options": [("week", "ISO week (Monday–Sunday)")]}],
    )
    return render(request, "cohorts.html", {
        **bar,
        "cohorts": result, "curves": curves, "rows": rows, "format": fmt, "period": period,
        "offsets": range(result[f"{period}s"]),
        "shows": [{"key": key, "label": label, "active": key == show,
                   "query": filters.querystring(show=key)} for key, label, *_ in SHOWS],
        "channels": [(c, CHANNEL_LABELS[c]) for c in CHANNELS], "channel": channel,
        "repeat": figure_cached("repeat_purchase", **args),
        "api_query": urlencode({**filters.range_params(), **scope,
                                **({"period": period} if period != "month" else {})}),
    })


CELL_COLUMNS = ["customers", "retention", "returned", "repeat_rate", "orders", "revenue",
                "cumulative_orders", "cumulative_revenue", "revenue_per_customer"]


@reader_required
def cohort_csv(request):
    """The heat map as CSV, one line per cohort and month (or week, ``period=week``) since its first, for
    the page's filters."""
    filters = _filters(request)
    if filters.errors:
        return HttpResponseBadRequest("\n".join(filters.errors), content_type="text/plain")
    period = filters.extra.get("period") or PERIODS[0]
    result = figure_cached("cohort_retention", date_range=filters.date_range, category=filters.category,
                           channel=filters.extra.get("channel"), version=version_current(),
                           **({"period": period} if period != "month" else {}))
    rows = ({"cohort": cohort["cohort"], "cohort_customers": cohort["customers"], **cell}
            for cohort in result["cohorts"] for cell in cohort["cells"])
    return csv_response(header=["cohort", "cohort_customers", "offset", period, *CELL_COLUMNS], rows=rows,
                        filename=f"cohorts{'-weekly' if period == 'week' else ''}.csv")


MEMBER_TABLE = Table(
    columns=customer_tables.TABLE.columns,
    default_order=customer_tables.TABLE.default_order,
    list_fn=cohort_member_list,
    filterset=CohortMemberFilter,
    row=customer_tables.TABLE.row,
    csv_url_name="analytics-api:cohort-customers",
)
MEMBER_KEYS = ("cohort", "month", "week", "channel")


def _member_filters(request):
    filters = page_filters(request, extra_keys=MEMBER_KEYS)
    filters.date_range = type(filters.date_range)()  # a cell names its own months
    return filters


@reader_required
def cohort_customers_page(request):
    return record_list_page(
        request, filters=_member_filters(request), table=MEMBER_TABLE, table_url="accounts:cohort-customer-table",
        template="cohort_customers.html", categories=kept_categories(),
        figure=lambda filters: {}, chip_labels={"cohort": "Cohort", "month": "Bought in", "week": "Bought in"},
        chip_choices={"channel": CHANNEL_LABELS},
        dates_note="Customers whose first purchase fell in the cohort's month (or ISO week) and who bought in the "
                   "month (week) shown.",
    )


@reader_required
def cohort_customer_table(request):
    return datatable_json(request, table=MEMBER_TABLE, filters=_member_filters(request))
