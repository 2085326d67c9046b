"""The one description of each record type's search document: its fields, their kinds, and how each
value is read from a record's row. Everything else is built from it: the documents themselves
(``search.records``), the tantivy schema's per-type fields (``search.backends.embedded``) and the
django-elasticsearch-dsl documents with their mappings (``search.documents``).

A row is a dict of the record's ``columns``; for each ``related`` foreign key it also holds the
related record's ``carried`` columns under the key's name (``row["product"]["name"]``), or their
defaults when that record is gone.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

CUSTOMER, PRODUCT, SALE, FEEDBACK = "customer", "product", "sale", "feedback"
TYPES = (CUSTOMER, PRODUCT, SALE, FEEDBACK)

# Field kinds (search.documents maps each to an Elasticsearch field, search.backends.embedded to tantivy):
KEYWORD = "keyword"  # exact values: filters, facets
TEXT = "text"  # searchable words plus a ``raw`` keyword for exact filters, sorting and Kibana terms
WORDS = "words"  # long free text, searchable words only
CATEGORY = "category"  # a keyword, with searchable words as ``category.text``
INTEGER, DOUBLE, BOOLEAN, DATE, GEO_POINT = "integer", "double", "boolean", "date", "geo_point"

# Searched fields and their weights; the same on both backends (Elasticsearch field names).
SEARCH_FIELDS = {
    "title": 3.0,
    "sku": 2.0,
    "email": 2.0,
    "brand": 1.0,
    "category.text": 1.0,
    "city": 1.0,
    "country": 1.0,
    "customer_city": 1.0,
    "customer_name": 1.0,
    "description": 1.0,
    "comment": 1.0,
    "attributes": 0.5,
    "address": 0.5,
}
# Fields whose highlighted text is returned as a snippet (long ones cut to a fragment).
SNIPPET_FIELDS = (
    "title", "sku", "email", "brand", "city", "customer_city", "customer_name", "description", "comment",
    "attributes", "address",
)
LONG_FIELDS = ("description", "comment", "attributes", "address")
FRAGMENT_CHARS = 160


def sale_title(*, pk, product_name: str) -> str:
    return f"Sale {pk} · {product_name}"


def feedback_title(*, rating: int, product_name: str) -> str:
    return f"Feedback {rating}/5 · {product_name}"


def attributes_text(attributes) -> str:
    """A product's specs as searchable words: ``"color: black; size: M"``."""
    if not isinstance(attributes, dict):
        return ""
    return "; ".join(f"{key}: {value}" for key, value in attributes.items())


def location(latitude, longitude) -> dict | None:
    if latitude is None or longitude is None:
        return None
    return {"lat": latitude, "lon": longitude}


def money(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    read: Callable[[dict], object]


def column(name: str, kind: str, source: str | None = None) -> Field:
    """A field that is one column as stored (``source`` when the names differ)."""
    key = source or name
    return Field(name, kind, lambda row: row[key])


def carried(name: str, kind: str, related: str, source: str) -> Field:
    """A field copied from a related record (a sale carries its product's name)."""
    return Field(name, kind, lambda row: row[related][source])


@dataclass(frozen=True)
class Related:
    """A foreign key whose record's ``columns`` the documents carry (``defaults`` when it is gone)."""

    record_type: str
    model_label: str
    columns: tuple[str, ...]
    defaults: tuple


@dataclass(frozen=True)
class RecordSpec:
    name: str
    plural: str
    model_label: str
    columns: tuple[str, ...]  # read from the record's own table, "pk" first
    fields: tuple[Field, ...]
    related: dict[str, Related] = field(default_factory=dict)  # foreign key name → Related

    def document(self, row: dict) -> tuple[str, dict]:
        return str(row["pk"]), {f.name: f.read(row) for f in self.fields}

    @property
    def carries(self) -> dict[str, set[str]]:
        """{related record type: the fields of it these documents copy}."""
        return {rel.record_type: set(rel.columns) for rel in self.related.values()}


_PRODUCT = Related(PRODUCT, "catalog.Product", ("name", "category"), ("", None))
_CUSTOMER = Related(CUSTOMER, "accounts.Customer", ("name", "city"), ("", ""))
# Sales also carry where their customer is, for Kibana's map of revenue (``customer.location``).
_BUYER = Related(
    CUSTOMER, "accounts.Customer", ("name", "city", "latitude", "longitude"), ("", "", None, None),
)
_CARRIED = (
    Field("product_id", KEYWORD, lambda row: str(row["product_id"])),
    carried("product_name", TEXT, "product", "name"),
    carried("category", CATEGORY, "product", "category"),
    Field("customer_id", KEYWORD, lambda row: str(row["customer_id"])),
    carried("customer_name", TEXT, "customer", "name"),
    carried("customer_city", TEXT, "customer", "city"),
)

SPECS = {
    CUSTOMER: RecordSpec(
        CUSTOMER, "customers", "accounts.Customer",
        columns=("pk", "name", "email", "address", "city", "country", "latitude", "longitude", "joined_at"),
        fields=(
            Field("type", KEYWORD, lambda row: CUSTOMER),
            column("title", TEXT, "name"),
            column("name", TEXT),
            column("email", TEXT),
            column("address", WORDS),
            column("city", TEXT),
            column("country", TEXT),
            Field("location", GEO_POINT, lambda row: location(row["latitude"], row["longitude"])),
            column("joined_at", DATE),
            column("date", DATE, "joined_at"),
        ),
    ),
    PRODUCT: RecordSpec(
        PRODUCT, "products", "catalog.Product",
        columns=(
            "pk", "sku", "name", "description", "category", "brand", "price", "attributes", "created_at",
            "active",
        ),
        fields=(
            Field("type", KEYWORD, lambda row: PRODUCT),
            column("title", TEXT, "name"),
            column("sku", TEXT),
            column("name", TEXT),
            column("description", WORDS),
            column("category", CATEGORY),
            column("brand", TEXT),
            Field("price", DOUBLE, lambda row: money(row["price"])),
            Field("attributes", WORDS, lambda row: attributes_text(row["attributes"])),
            column("active", BOOLEAN),
            column("created_at", DATE),
            column("date", DATE, "created_at"),
        ),
    ),
    SALE: RecordSpec(
        SALE, "sales", "sales.Sale",
        columns=(
            "pk", "product_id", "customer_id", "quantity", "unit_price", "total", "sold_at", "channel",
            "status",
        ),
        related={"product": _PRODUCT, "customer": _BUYER},
        fields=(
            Field("type", KEYWORD, lambda row: SALE),
            Field("title", TEXT, lambda row: sale_title(pk=row["pk"], product_name=row["product"]["name"])),
            *_CARRIED,
            column("quantity", INTEGER),
            Field("unit_price", DOUBLE, lambda row: money(row["unit_price"])),
            Field("total", DOUBLE, lambda row: money(row["total"])),
            Field("price", DOUBLE, lambda row: money(row["unit_price"])),
            Field("customer.location", GEO_POINT, lambda row: location(
                row["customer"]["latitude"], row["customer"]["longitude"],
            )),
            column("channel", KEYWORD),
            column("status", KEYWORD),
            column("sold_at", DATE),
            column("date", DATE, "sold_at"),
        ),
    ),
    FEEDBACK: RecordSpec(
        FEEDBACK, "feedback", "feedback.Feedback",
        columns=("pk", "product_id", "customer_id", "rating", "comment", "created_at"),
        related={"product": _PRODUCT, "customer": _CUSTOMER},
        fields=(
            Field("type", KEYWORD, lambda row: FEEDBACK),
            Field("title", TEXT, lambda row: feedback_title(
                rating=row["rating"], product_name=row["product"]["name"],
            )),
            *_CARRIED,
            column("rating", INTEGER),
            column("comment", WORDS),
            column("created_at", DATE),
            column("date", DATE, "created_at"),
        ),
    ),
}
