"""What each kind of record needs (model, key, columns, defaults), the messages, a row's error."""

from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import Customer
from catalog.models import Product
from feedback.models import FEEDBACK_BEFORE_JOIN, Feedback
from sales.models import SALE_BEFORE_JOIN, Sale

from ..cells import Cleaner

BATCH = 20_000
LOOKUP_CHUNK = 900  # keys per ``__in`` query (SQLite's variable limit)
UNKNOWN = "Unknown"
UNCATEGORISED = "Uncategorised"
REQUIRED = "This field is required."
DUPLICATE = "Also on line {line} of this import; each {key} may appear once."
NO_CUSTOMER = "No customer with this email (add a customer_name column to create customers)."
NO_PRODUCT = "No product with this SKU (add a product_name column to create products)."
NO_PRICE = "Give unit_price (the product is new, so there is no price to default to)."
TOTAL_ABOVE_GROSS = "Total cannot exceed quantity × unit price ({gross})."
TOTAL_MISMATCH = "Total must be quantity × unit price − discount ({expected})."
JOIN_HINT = (
    " If the customer was imported without a join date, --join-at-first-order moves it back to"
    " their first order."
)
JOINED_AFTER = (
    "The customer has a sale or feedback dated {first:%Y-%m-%d %H:%M}; the join date cannot be later."
)
CENT = Decimal("0.01")
# Columns an API export carries that an import ignores (ids are not portable between databases).
EXPORT_ONLY = {"id", "url", "product", "customer", "customer_name", "product_name", "category"}


@dataclass
class RowError:
    file: str
    line: int
    field: str
    message: str
    raw: dict | None = None

    def __str__(self):
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    related_created: dict = field(default_factory=lambda: {"customers": 0, "products": 0})
    joins_moved: int = 0


def _fields(model, names):
    return {name: model._meta.get_field(name) for name in names}


class Kind:
    """What one kind of record needs: its model, key, columns and defaults."""

    model: type
    key: str  # the natural key column
    columns: tuple[str, ...]  # model field names a file may give
    extra: tuple[str, ...] = ()  # columns used but not stored as such (customer_email, ...)
    signal_name: str

    def __init__(self, tz):
        self.cleaners = {
            name: Cleaner(f, timezone=tz) for name, f in _fields(self.model, self.columns).items()
        }


class CustomersKind(Kind):
    model = Customer
    key = "email"
    columns = ("name", "email", "address", "city", "country", "latitude", "longitude", "joined_at")
    signal_name = "customers"
    defaults = {"address": "", "city": UNKNOWN, "country": UNKNOWN, "latitude": None, "longitude": None}
    # Empty cells that mean "no value" (stored as such) rather than "use the default / keep".
    nullable_or_blank = {"address": "", "latitude": None, "longitude": None}


class ProductsKind(Kind):
    model = Product
    key = "sku"
    columns = (
        "sku",
        "name",
        "description",
        "category",
        "brand",
        "price",
        "attributes",
        "active",
        "created_at",
    )
    signal_name = "products"
    defaults = {"description": "", "category": UNCATEGORISED, "brand": "", "attributes": {}, "active": True}
    nullable_or_blank = {"description": "", "brand": "", "attributes": {}}


class SalesKind(Kind):
    model = Sale
    key = "external_id"
    columns = ("quantity", "unit_price", "discount", "total", "sold_at", "channel", "status", "external_id")
    extra = ("customer_email", "product_sku")
    signal_name = "sales"
    date_field = "sold_at"
    defaults = {"channel": Sale.Channel.WEB, "status": Sale.Status.COMPLETED, "external_id": ""}
    nullable_or_blank = {"external_id": ""}
    before_join = SALE_BEFORE_JOIN


class FeedbackKind(Kind):
    model = Feedback
    key = "external_id"
    columns = ("rating", "comment", "created_at", "external_id")
    extra = ("customer_email", "product_sku")
    signal_name = "feedback"
    date_field = "created_at"
    defaults = {"comment": "", "external_id": ""}
    nullable_or_blank = {"comment": "", "external_id": ""}
    before_join = FEEDBACK_BEFORE_JOIN


KINDS = {"customers": CustomersKind, "products": ProductsKind, "sales": SalesKind, "feedback": FeedbackKind}
