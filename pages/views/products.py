"""Product pages: the list with the price spread per category, one product's sales, ratings and feedback."""

from django.shortcuts import render
from django.urls import reverse

from analytics.figures import FIGURES, product_summary
from analytics.figures.shared import kept_categories
from analytics.views import drill_links
from catalog import tables
from catalog.selectors import product_get
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
    return page_filters(request, extra_keys=tables.EXTRA_FILTERS)


@reader_required
def product_list_page(request):
    return record_list_page(
        request, filters=_filters(request), table=tables.TABLE, table_url="catalog:product-table",
        template="products.html", categories=kept_categories(), dates_note=tables.DATES_NOTE,
        figure=lambda filters: FIGURES["price_spread_by_category"](
            date_range=filters.date_range, category=filters.category
        ),
        figures={
            name: lambda filters, name=name: FIGURES[name](
                date_range=filters.date_range, category=filters.category
            )
            for name in ("products_per_category", "average_rating_per_product")
        },
        context=lambda filters: {"drill": drill_links(filters)},
    )


@reader_required
def product_table(request):
    return datatable_json(request, table=tables.TABLE, filters=_filters(request))


@reader_required
def product_detail_page(request, pk: str):
    product = object_or_404(product_get, pk)
    filters = page_filters(request)
    filters.category = None
    narrowed = PageFilters(date_range=filters.date_range, extra={"product": str(product.pk)})
    return render(request, "product_detail.html", {
        **filter_bar(request, filters, dates_note="Dates filter the sales and feedback."),
        "product": product,
        "summary": product_summary(product_id=product.pk, date_range=filters.date_range),
        "sales_table": table_context(
            table=SALES_TABLE, url=reverse("sales:sale-table"), filters=narrowed,
            hidden=("product", "category"),
        ),
        # The latest feedback, newest first, with the customers' names and paging to older ones.
        "feedback_table": table_context(
            table=FEEDBACK_TABLE, url=reverse("feedback:feedback-table"), filters=narrowed,
            page_length=10, hidden=("product",),
        ),
    })
