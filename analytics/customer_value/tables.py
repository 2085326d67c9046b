"""The lifetime-value list as its page and CSV export show it."""

from analytics.customer_value.filters import CustomerValueFilter
from analytics.customer_value.selectors import customer_value_list
from core.pages import Column, Table


def _row(value) -> dict:
    customer = value.customer
    return {
        "customer": customer.name if customer else "",
        "customer_url": customer.get_absolute_url() if customer else "",
        "email": customer.email if customer else "",
        "predicted_value_12m": str(value.predicted_value_12m),
        "probability_alive": value.probability_alive,
        "probability_alive_change": value.probability_alive_change,
        "expected_orders_90d": value.expected_orders_90d,
        "repeat_orders": value.repeat_orders,
    }


TABLE = Table(
    columns=(
        Column("customer", "Customer", None, "link"),
        Column("email", "Email"),
        Column("predicted_value_12m", "Predicted value, 12 months", "predicted_value_12m", "currency"),
        Column("probability_alive", "Chance still active", "probability_alive", "share"),
        Column("probability_alive_change", "Change in 90 days", "probability_alive_change", "points"),
        Column("expected_orders_90d", "Expected orders, 90 days", "expected_orders_90d", "decimal"),
        Column("repeat_orders", "Repeat orders", "repeat_orders", "integer"),
    ),
    default_order=("predicted_value_12m", "desc"),
    list_fn=customer_value_list,
    filterset=CustomerValueFilter,
    row=_row,
    csv_url_name="analytics-api:customer-value-list",
    related=("customer",),
)
