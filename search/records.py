"""The four record types as search documents: what each carries and how it is built in bulk.

The Elasticsearch `Document` classes (`<app>/documents.py`) declare the mappings and build one
document from one model instance (`prepare`); the functions here build the same dicts straight
from `values_list` rows, which is what re-indexing a million sales needs. A test checks that both
give the same document for every type.
"""

import datetime as dt
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Model, QuerySet
from django.utils.module_loading import import_string

CUSTOMER, PRODUCT, SALE, FEEDBACK = "customer", "product", "sale", "feedback"
TYPES = (CUSTOMER, PRODUCT, SALE, FEEDBACK)

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
    "title",
    "sku",
    "email",
    "brand",
    "city",
    "customer_city",
    "customer_name",
    "description",
    "comment",
    "attributes",
    "address",
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
class RecordType:
    name: str
    plural: str
    model_label: str
    document_path: str
    # Fields of a related record copied into this type's documents: {related type: fields}.
    carries: dict

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.model_label)

    @property
    def document(self):
        return import_string(self.document_path)

    def queryset(self) -> QuerySet:
        return self.model._default_manager.order_by()


RECORD_TYPES = {
    CUSTOMER: RecordType(
        CUSTOMER, "customers", "accounts.Customer", "search.documents.customers.CustomerDocument", {}
    ),
    PRODUCT: RecordType(PRODUCT, "products", "catalog.Product", "search.documents.products.ProductDocument", {}),
    SALE: RecordType(
        SALE,
        "sales",
        "sales.Sale",
        "search.documents.sales.SaleDocument",
        {PRODUCT: {"name", "category"}, CUSTOMER: {"name", "city"}},
    ),
    FEEDBACK: RecordType(
        FEEDBACK,
        "feedback",
        "feedback.Feedback",
        "search.documents.feedback.FeedbackDocument",
        {PRODUCT: {"name", "category"}, CUSTOMER: {"name", "city"}},
    ),
}


def record_type_of(model: type[Model]) -> RecordType | None:
    label = model._meta.label
    return next((rt for rt in RECORD_TYPES.values() if rt.model_label == label), None)


def carriers(name: str, update_fields: Iterable[str] | None) -> list[tuple[RecordType, str]]:
    """Types whose documents copy fields of a ``name`` record, with the foreign key to follow.

    With ``update_fields`` (a save that names what it changed), only when a copied field changed.
    """
    changed = None if update_fields is None else set(update_fields)
    return [
        (rt, f"{name}_id")
        for rt in RECORD_TYPES.values()
        if name in rt.carries and (changed is None or changed & rt.carries[name])
    ]


# --- Bulk building from rows ---------------------------------------------------------------------


def _customers(rows) -> Iterator[tuple[str, dict]]:
    for pk, name, email, address, city, country, lat, lon, joined_at in rows:
        yield (
            str(pk),
            {
                "type": CUSTOMER,
                "title": name,
                "name": name,
                "email": email,
                "address": address,
                "city": city,
                "country": country,
                "location": location(lat, lon),
                "joined_at": joined_at,
                "date": joined_at,
            },
        )


def _products(rows) -> Iterator[tuple[str, dict]]:
    for pk, sku, name, description, category, brand, price, attributes, created_at, active in rows:
        yield (
            str(pk),
            {
                "type": PRODUCT,
                "title": name,
                "sku": sku,
                "name": name,
                "description": description,
                "category": category,
                "brand": brand,
                "price": money(price),
                "attributes": attributes_text(attributes),
                "active": active,
                "created_at": created_at,
                "date": created_at,
            },
        )


def _sales(rows, products: dict, customers: dict) -> Iterator[tuple[str, dict]]:
    for pk, product_id, customer_id, quantity, unit_price, total, sold_at, channel, status in rows:
        product_name, category = products.get(product_id, ("", None))
        customer_name, customer_city = customers.get(customer_id, ("", ""))
        yield (
            str(pk),
            {
                "type": SALE,
                "title": sale_title(pk=pk, product_name=product_name),
                "product_id": str(product_id),
                "product_name": product_name,
                "category": category,
                "customer_id": str(customer_id),
                "customer_name": customer_name,
                "customer_city": customer_city,
                "quantity": quantity,
                "unit_price": money(unit_price),
                "total": money(total),
                "price": money(unit_price),
                "channel": channel,
                "status": status,
                "sold_at": sold_at,
                "date": sold_at,
            },
        )


def _feedback(rows, products: dict, customers: dict) -> Iterator[tuple[str, dict]]:
    for pk, product_id, customer_id, rating, comment, created_at in rows:
        product_name, category = products.get(product_id, ("", None))
        customer_name, customer_city = customers.get(customer_id, ("", ""))
        yield (
            str(pk),
            {
                "type": FEEDBACK,
                "title": feedback_title(rating=rating, product_name=product_name),
                "product_id": str(product_id),
                "product_name": product_name,
                "category": category,
                "customer_id": str(customer_id),
                "customer_name": customer_name,
                "customer_city": customer_city,
                "rating": rating,
                "comment": comment,
                "created_at": created_at,
                "date": created_at,
            },
        )


_COLUMNS = {
    CUSTOMER: ("pk", "name", "email", "address", "city", "country", "latitude", "longitude", "joined_at"),
    PRODUCT: (
        "pk",
        "sku",
        "name",
        "description",
        "category",
        "brand",
        "price",
        "attributes",
        "created_at",
        "active",
    ),
    SALE: (
        "pk",
        "product_id",
        "customer_id",
        "quantity",
        "unit_price",
        "total",
        "sold_at",
        "channel",
        "status",
    ),
    FEEDBACK: ("pk", "product_id", "customer_id", "rating", "comment", "created_at"),
}
_BUILDERS: dict[str, Callable] = {CUSTOMER: _customers, PRODUCT: _products, SALE: _sales, FEEDBACK: _feedback}
CHUNK = 5_000


def _sqlite_datetime(value):
    # Stored as naive UTC text; Django's sqlite3 connection may already have parsed it.
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _sqlite_json(value):
    return json.loads(value) if isinstance(value, str) else value


_SQLITE_CONVERTERS = {
    models.DateTimeField: _sqlite_datetime,
    models.BooleanField: lambda v: None if v is None else bool(v),
    models.JSONField: _sqlite_json,
    # DecimalField: SQLite hands back int/float, which is what documents carry (money()).
}


def rows(qs: QuerySet, columns: tuple[str, ...]) -> Iterator[tuple]:
    """``qs.values_list(*columns)`` rows, streamed.

    On SQLite the same query's rows are read from the cursor and only datetimes, booleans and JSON
    are converted here: Django's per-value converters (datetime parsing, Decimal quantizing) cost
    more than indexing the document. Every other backend (MongoDB) goes through the ORM as usual.
    """
    qs = qs.values_list(*columns)
    if connections[qs.db].vendor != "sqlite":
        yield from qs.iterator(chunk_size=CHUNK)
        return
    meta = qs.model._meta
    fields = [meta.pk if name == "pk" else meta.get_field(name) for name in columns]
    converters = [
        (i, _SQLITE_CONVERTERS[type(f)]) for i, f in enumerate(fields) if type(f) in _SQLITE_CONVERTERS
    ]
    try:
        sql, params = qs.query.get_compiler(qs.db).as_sql()
    except EmptyResultSet:  # e.g. pk__in=[]: Django would return no rows without asking
        return
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(CHUNK):
            if not converters:
                yield from chunk
                continue
            for row in chunk:
                row = list(row)
                for i, convert in converters:
                    row[i] = convert(row[i])
                yield row


def _names(model_label: str, columns: tuple[str, ...], ids: set | None) -> dict:
    qs = apps.get_model(model_label)._default_manager.order_by()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return {pk: rest for pk, *rest in rows(qs, ("pk", *columns))}


def documents(name: str, **filters) -> Iterator[tuple[str, dict]]:
    """``(id, document)`` for each record of type ``name`` (all of them, or those matching ``filters``)."""
    qs = RECORD_TYPES[name].queryset().filter(**filters)
    columns = _COLUMNS[name]
    builder = _BUILDERS[name]
    if name in (CUSTOMER, PRODUCT):
        yield from builder(rows(qs, columns))
        return
    if filters:
        found = list(rows(qs, columns))
        product_ids, customer_ids = {r[1] for r in found}, {r[2] for r in found}
    else:
        found, product_ids, customer_ids = rows(qs, columns), None, None
    products = _names("catalog.Product", ("name", "category"), product_ids)
    customers = _names("accounts.Customer", ("name", "city"), customer_ids)
    yield from builder(found, products, customers)


def count(name: str) -> int:
    return RECORD_TYPES[name].queryset().count()
