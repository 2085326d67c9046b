"""Product pages: the list with the price spread per category, one product's sales, ratings and feedback."""

from django.shortcuts import render
from django.urls import reverse

from catalog.filters import ProductFilter
from catalog.selectors import product_get, product_list
from ecommerce_analytics.figures import FIGURES, product_summary
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

EXTRA_FILTERS = ("brand",)
DATES_NOTE = "Dates filter the price chart by when products were added; the table lists every product."


def _row(product) -> dict:
    return {
        "sku": product.sku,
        "name": product.name,
        "name_url": product.get_absolute_url(),
        "category": product.category,
        "brand": product.brand,
        "price": float(product.price),
        "active": product.active,
        "created_at": product.created_at.isoformat(),
    }


TABLE = Table(
    columns=(
        Column("sku", "SKU", "sku"),
        Column("name", "Name", "name", "link"),
        Column("category", "Category", "category"),
        Column("brand", "Brand", "brand"),
        Column("price", "Price", "price", "currency"),
        Column("active", "Active", None, "boolean"),
        Column("created_at", "Added", "created_at", "date"),
    ),
    default_order=("name", "asc"),
    list_fn=product_list,
    filterset=ProductFilter,
    row=_row,
    csv_url_name="catalog-api:product-list",
)


def _filters(request) -> PageFilters:
    return page_filters(request, extra_keys=EXTRA_FILTERS)


@reader_required
def product_list_page(request):
    return record_list_page(
        request, filters=_filters(request), table=TABLE, table_url="catalog:product-table",
        template="products.html", dates_note=DATES_NOTE,
        figure=lambda filters: FIGURES["price_spread_by_category"](
            date_range=filters.date_range, category=filters.category
        ),
    )


@reader_required
def product_table(request):
    return datatable_json(request, table=TABLE, filters=_filters(request))


@reader_required
def product_detail_page(request, pk: str):
    product = object_or_404(product_get, pk)
    filters = page_filters(request)
    filters.category = None
    narrowed = PageFilters(date_range=filters.date_range, extra={"product": str(product.pk)})
    return render(request, "product_detail.html", {
        **filter_bar(request, filters, categories=False, dates_note="Dates filter the sales and feedback."),
        "product": product,
        "summary": product_summary(product_id=product.pk, date_range=filters.date_range),
        "sales_table": table_context(
            table=sales_views.TABLE, url=reverse("sales:sale-table"), filters=narrowed,
            hidden=("product", "category"),
        ),
        # The latest feedback, newest first, with the customers' names and paging to older ones.
        "feedback_table": table_context(
            table=feedback_views.TABLE, url=reverse("feedback:feedback-table"), filters=narrowed,
            page_length=10, hidden=("product",),
        ),
    })
