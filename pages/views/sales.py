"""Sales pages: the list with units and revenue per month, and one sale."""

from django.shortcuts import render

from analytics.figures import FIGURES
from analytics.figures.shared import kept_categories
from core.pages import datatable_json, object_or_404, page_filters, reader_required, record_list_page
from pages.views.chips import RECORD_NAMES
from sales import tables
from sales.selectors import sale_get


@reader_required
def sale_list_page(request):
    return record_list_page(
        request, filters=page_filters(request, extra_keys=tables.EXTRA_FILTERS), table=tables.TABLE,
        table_url="sales:sale-table", template="sales.html", categories=kept_categories(),
        dates_note=tables.DATES_NOTE, chip_choices=tables.CHIP_CHOICES, chip_names=RECORD_NAMES,
        figure=lambda filters: FIGURES["units_revenue_per_month"](
            date_range=filters.date_range, category=filters.category
        ),
    )


@reader_required
def sale_table(request):
    filters = page_filters(request, extra_keys=tables.EXTRA_FILTERS)
    return datatable_json(request, table=tables.TABLE, filters=filters)


@reader_required
def sale_detail_page(request, pk: str):
    sale = object_or_404(sale_get, pk)
    return render(request, "sale_detail.html", {"sale": sale})
