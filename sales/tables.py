"""The sales table as the pages (the sales list, a product's and a customer's page) show it."""

from core.pages import Column, Table
from sales.filters import SaleFilter
from sales.models import Sale
from sales.selectors import sale_list

EXTRA_FILTERS = ("product", "customer", "channel", "status")
DATES_NOTE = "Dates filter when the sale was made."


def _row(sale) -> dict:
    return {
        "sold_at": sale.sold_at.isoformat(),
        "sold_at_url": sale.get_absolute_url(),
        "product": sale.product.name,
        "product_url": sale.product.get_absolute_url(),
        "category": sale.product.category,
        "customer": sale.customer.name,
        "customer_url": sale.customer.get_absolute_url(),
        "quantity": sale.quantity,
        "unit_price": float(sale.unit_price),
        "total": float(sale.total),
        "channel": sale.get_channel_display(),
        "status": sale.status,
    }


TABLE = Table(
    columns=(
        Column("sold_at", "Sold", "sold_at", "datetime-link"),
        Column("product", "Product", None, "link"),
        Column("category", "Category"),
        Column("customer", "Customer", None, "link"),
        Column("quantity", "Qty", "quantity", "integer"),
        Column("unit_price", "Unit price", "unit_price", "currency"),
        Column("total", "Total", "total", "currency"),
        Column("channel", "Channel"),
        Column("status", "Status", None, "status"),
    ),
    default_order=("sold_at", "desc"),
    list_fn=sale_list,
    filterset=SaleFilter,
    row=_row,
    related=("product", "customer"),  # _row reads both: two queries per page, not two per row
    csv_url_name="sales-api:sale-list",
    links_keep_range=True,
)


CHIP_CHOICES = {"channel": dict(Sale.Channel.choices), "status": dict(Sale.Status.choices)}
