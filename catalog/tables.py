"""The products table as the pages and their CSV export show it."""

from catalog.filters import ProductFilter
from catalog.selectors import product_list
from core.pages import Column, Table

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
