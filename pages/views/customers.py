"""Customer pages ("users" in URLs): the list with customers per city, one customer's orders and feedback."""

from django.shortcuts import render
from django.urls import reverse

from accounts import tables
from accounts.selectors import customer_get
from analytics.customer_value import customer_value_get
from analytics.figures import FIGURES, customer_summary
from analytics.figures.segments import Scores, as_of_day
from core.pages import (
    PageFilters,
    datatable_json,
    filter_bar,
    object_or_404,
    page_filters,
    reader_required,
    record_list_page,
    table_context,
)
from feedback.tables import TABLE as FEEDBACK_TABLE
from sales.tables import TABLE as SALES_TABLE


def _filters(request) -> PageFilters:
    filters = page_filters(request, extra_keys=tables.EXTRA_FILTERS)
    filters.category = None  # customers have none
    return filters


@reader_required
def customer_list_page(request):
    return record_list_page(
        request, filters=_filters(request), table=tables.TABLE, table_url="accounts:customer-table",
        template="users.html", dates_note=tables.DATES_NOTE,
        figure=lambda filters: FIGURES["customers_per_city"](date_range=filters.date_range),
        # Customers have no category, so the map here shows every category's revenue and orders.
        figures={"customer_map": lambda filters: FIGURES["customer_map"](date_range=filters.date_range)},
    )


@reader_required
def customer_table(request):
    return datatable_json(request, table=tables.TABLE, filters=_filters(request))


@reader_required
def customer_detail_page(request, pk: str):
    customer = object_or_404(customer_get, pk)
    filters = page_filters(request)
    filters.category = None
    narrowed = PageFilters(date_range=filters.date_range, extra={"customer": str(customer.pk)})
    return render(request, "customer_detail.html", {
        **filter_bar(request, filters, dates_note="Dates filter the orders and feedback."),
        "customer": customer,
        "summary": customer_summary(customer_id=customer.pk, date_range=filters.date_range),
        "value": customer_value_get(customer_id=customer.pk),
        "segment": Scores(as_of_day(filters.date_range)).of(customer.pk),
        "orders_table": table_context(
            table=SALES_TABLE, url=reverse("sales:sale-table"), filters=narrowed, hidden=("customer",),
        ),
        "feedback_table": table_context(
            table=FEEDBACK_TABLE, url=reverse("feedback:feedback-table"), filters=narrowed,
            page_length=10, hidden=("customer",),
        ),
    })
