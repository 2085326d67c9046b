"""How the record pages name the product and customer a filter chip points at."""

from accounts.selectors import customer_get
from catalog.selectors import product_get


def product_name(pk: str) -> str | None:
    product = product_get(pk=pk)
    return product.name if product else None


def customer_name(pk: str) -> str | None:
    customer = customer_get(pk=pk)
    return customer.name if customer else None


RECORD_NAMES = {"product": product_name, "customer": customer_name}
