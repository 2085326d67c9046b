"""The four record types as search documents, built in bulk from ``search.spec``.

Documents are built straight from ``values_list`` rows (what re-indexing a million sales needs),
with each related record's carried columns fetched once per batch, never joined per row.
"""

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models import Model, QuerySet

from search.spec import (  # noqa: F401 (re-exported: the record type names and search field tables)
    CUSTOMER,
    FEEDBACK,
    FRAGMENT_CHARS,
    LONG_FIELDS,
    PRODUCT,
    SALE,
    SEARCH_FIELDS,
    SNIPPET_FIELDS,
    SPECS,
    TYPES,
    RecordSpec,
)


@dataclass(frozen=True)
class RecordType:
    spec: RecordSpec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def plural(self) -> str:
        return self.spec.plural

    @property
    def model_label(self) -> str:
        return self.spec.model_label

    @property
    def carries(self) -> dict[str, set[str]]:
        return self.spec.carries

    @property
    def model(self) -> type[Model]:
        return apps.get_model(self.model_label)

    @property
    def document(self):
        """The django-elasticsearch-dsl document class (mapping and index) built from the spec."""
        from search.documents import DOCUMENTS

        return DOCUMENTS[self.name]

    def queryset(self) -> QuerySet:
        return self.model._default_manager.order_by()


RECORD_TYPES = {name: RecordType(spec) for name, spec in SPECS.items()}


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


def _related(rel, ids: set | None) -> dict:
    """``{pk: tuple of the carried columns}`` of the related rows (all, or those of ``ids``)."""
    qs = apps.get_model(rel.model_label)._default_manager.order_by()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return {pk: tuple(rest) for pk, *rest in rows(qs, ("pk", *rel.columns))}


def documents(name: str, **filters) -> Iterator[tuple[str, dict]]:
    """``(id, document)`` for each record of type ``name`` (all of them, or those matching ``filters``)."""
    spec = SPECS[name]
    found = rows(RECORD_TYPES[name].queryset().filter(**filters), spec.columns)
    if filters and spec.related:  # a few records: fetch only the related rows they point to
        found = list(found)
        keys = {key: spec.columns.index(f"{key}_id") for key in spec.related}
        related = [_related(rel, {row[keys[key]] for row in found}) for key, rel in spec.related.items()]
    else:
        related = [_related(rel, None) for rel in spec.related.values()]
    build = spec.build
    for row in found:
        yield build(row, *related)


def count(name: str) -> int:
    return RECORD_TYPES[name].queryset().count()
