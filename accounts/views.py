"""Customer pages ("users" in URLs): the list with customers per city, one customer's orders and feedback."""

from django.shortcuts import render
from django.urls import reverse

from accounts.filters import CustomerFilter
from accounts.selectors import customer_get, customer_list
from ecommerce_analytics.figures import FIGURES, customer_summary
from ecommerce_analytics.views import (
    Column,
    PageFilters,
    Table,
    datatable_json,
    filter_bar,
    object_or_404,
    page_filters,
    reader_required,
    record_list_page,
    table_context,
)
from feedback import views as feedback_views
from sales import views as sales_views

EXTRA_FILTERS = ("city", "country")
DATES_NOTE = "Dates filter when customers joined; customers have no category."


def _row(customer) -> dict:
    return {
        "name": customer.name,
        "name_url": customer.get_absolute_url(),
        "email": customer.email,
        "city": customer.city,
        "country": customer.country,
        "joined_at": customer.joined_at.isoformat(),
    }


TABLE = Table(
    columns=(
        Column("name", "Name", "name", "link"),
        Column("email", "Email", "email"),
        Column("city", "City", "city"),
        Column("country", "Country", "country"),
        Column("joined_at", "Joined", "joined_at", "datetime"),
    ),
    default_order=("name", "asc"),
    list_fn=customer_list,
    filterset=CustomerFilter,
    row=_row,
    csv_url_name="accounts-api:customer-list",
)


def _filters(request) -> PageFilters:
    filters = page_filters(request, extra_keys=EXTRA_FILTERS)
    filters.category = None  # customers have none
    return filters


@reader_required
def customer_list_page(request):
    return record_list_page(
        request, filters=_filters(request), table=TABLE, table_url="accounts:customer-table",
        template="users.html", categories=False, dates_note=DATES_NOTE,
        figure=lambda filters: FIGURES["customers_per_city"](date_range=filters.date_range),
    )


@reader_required
def customer_table(request):
    return datatable_json(request, table=TABLE, filters=_filters(request))


@reader_required
def customer_detail_page(request, pk: str):
    customer = object_or_404(customer_get, pk)
    filters = page_filters(request)
    filters.category = None
    narrowed = PageFilters(date_range=filters.date_range, extra={"customer": str(customer.pk)})
    return render(request, "customer_detail.html", {
        **filter_bar(request, filters, categories=False, dates_note="Dates filter the orders and feedback."),
        "customer": customer,
        "summary": customer_summary(customer_id=customer.pk, date_range=filters.date_range),
        "orders_table": table_context(
            table=sales_views.TABLE, url=reverse("sales:sale-table"), filters=narrowed, hidden=("customer",),
        ),
        "feedback_table": table_context(
            table=feedback_views.TABLE, url=reverse("feedback:feedback-table"), filters=narrowed,
            page_length=10, hidden=("customer",),
        ),
    })
