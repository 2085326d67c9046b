"""The customers table ("users" in URLs) as the pages and their CSV export show it."""

from accounts.filters import CustomerFilter
from accounts.selectors import customer_list
from core.pages import Column, Table

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
