"""The one description of each record type's search document: its fields, their kinds, and how each
value is read from a record's row. Everything else is built from it: the documents themselves
(``search.records``), the tantivy schema's per-type fields (``search.backends.embedded``) and the
django-elasticsearch-dsl documents with their mappings (``search.documents``).

A field reads columns of the record's row and of the related records it carries (``product.name``),
or their defaults when that record is gone; ``RecordSpec.build`` turns the fields into one function.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

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


def sale_title(pk, product_name: str) -> str:
    return f"Sale {pk} · {product_name}"


def feedback_title(rating: int, product_name: str) -> str:
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
    """One document field: ``convert(*values of sources)``, or the first source's value as it is.

    A source is a column of the record (``"total"``) or of a related record (``"product.name"``);
    a field with no source is the constant ``value``.
    """

    name: str
    kind: str
    sources: tuple[str, ...] = ()
    convert: Callable | None = None
    value: object = None


def column(name: str, kind: str, source: str | None = None, convert: Callable | None = None) -> Field:
    """A field read from one column (``source`` when the names differ), optionally converted."""
    return Field(name, kind, (source or name,), convert)


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

    @property
    def carries(self) -> dict[str, set[str]]:
        """{related record type: the fields of it these documents copy}."""
        return {rel.record_type: set(rel.columns) for rel in self.related.values()}

    @cached_property
    def build(self) -> Callable[..., tuple[str, dict]]:
        """``build(row, *related)`` → ``(id, document)``: ``row`` a tuple of ``columns``, then one
        ``{pk: tuple of carried columns}`` per ``related`` key, in order.

        Compiled once from the fields into one function with a dict literal: a million sales are
        built about as fast as by hand-written code, where a call per field costs twice as much.
        """
        index = {name: i for i, name in enumerate(self.columns)}
        env, items = {}, []

        def ref(source: str) -> str:
            key, _, col = source.rpartition(".")
            return f"{key}[{self.related[key].columns.index(col)}]" if key else f"row[{index[col]}]"

        for n, f in enumerate(self.fields):
            if not f.sources:
                env[f"value_{n}"] = f.value
                expr = f"value_{n}"
            elif f.convert is None:
                expr = ref(f.sources[0])
            else:
                env[f"convert_{n}"] = f.convert
                expr = f"convert_{n}({', '.join(ref(s) for s in f.sources)})"
            items.append(f"{f.name!r}: {expr}")
        lookups = []
        for key, rel in self.related.items():
            env[f"missing_{key}"] = rel.defaults
            lookups.append(f"    {key} = related_{key}.get(row[{index[key + '_id']}], missing_{key})\n")
        params = "".join(f", related_{key}" for key in self.related)
        source = (
            f"def build(row{params}):\n" + "".join(lookups)
            + f"    return str(row[0]), {{{', '.join(items)}}}\n"
        )
        exec(compile(source, f"<search.spec {self.name}>", "exec"), env)  # noqa: S102 (our own fields)
        return env["build"]


def constant(name: str, kind: str, value) -> Field:
    return Field(name, kind, value=value)


_PRODUCT = Related(PRODUCT, "catalog.Product", ("name", "category"), ("", None))
_CUSTOMER = Related(CUSTOMER, "accounts.Customer", ("name", "city"), ("", ""))
# Sales also carry where their customer is, for Kibana's map of revenue (``customer.location``).
_BUYER = Related(
    CUSTOMER, "accounts.Customer", ("name", "city", "latitude", "longitude"), ("", "", None, None),
)
_CARRIED = (
    column("product_id", KEYWORD, convert=str),
    column("product_name", TEXT, "product.name"),
    column("category", CATEGORY, "product.category"),
    column("customer_id", KEYWORD, convert=str),
    column("customer_name", TEXT, "customer.name"),
    column("customer_city", TEXT, "customer.city"),
)

SPECS = {
    CUSTOMER: RecordSpec(
        CUSTOMER, "customers", "accounts.Customer",
        columns=("pk", "name", "email", "address", "city", "country", "latitude", "longitude", "joined_at"),
        fields=(
            constant("type", KEYWORD, CUSTOMER),
            column("title", TEXT, "name"),
            column("name", TEXT),
            column("email", TEXT),
            column("address", WORDS),
            column("city", TEXT),
            column("country", TEXT),
            Field("location", GEO_POINT, ("latitude", "longitude"), location),
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
            constant("type", KEYWORD, PRODUCT),
            column("title", TEXT, "name"),
            column("sku", TEXT),
            column("name", TEXT),
            column("description", WORDS),
            column("category", CATEGORY),
            column("brand", TEXT),
            column("price", DOUBLE, convert=money),
            column("attributes", WORDS, convert=attributes_text),
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
            constant("type", KEYWORD, SALE),
            Field("title", TEXT, ("pk", "product.name"), sale_title),
            *_CARRIED,
            column("quantity", INTEGER),
            column("unit_price", DOUBLE, convert=money),
            column("total", DOUBLE, convert=money),
            column("price", DOUBLE, "unit_price", money),
            Field("customer.location", GEO_POINT, ("customer.latitude", "customer.longitude"), location),
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
            constant("type", KEYWORD, FEEDBACK),
            Field("title", TEXT, ("rating", "product.name"), feedback_title),
            *_CARRIED,
            column("rating", INTEGER),
            column("comment", WORDS),
            column("created_at", DATE),
            column("date", DATE, "created_at"),
        ),
    ),
}
