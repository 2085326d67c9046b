"""Turn generated columns into the values a backend stores, chosen by each model field's type.

Generated columns use plain units: primary and foreign keys are 0-based row numbers, datetimes
whole seconds since the epoch (UTC), decimals integer hundredths, JSON fields dicts.

``sqlite_values`` reproduces what Django's SQLite backend writes for those values (checked
against ``Field.get_db_prep_save`` in the tests) fast enough for a million rows;
``python_values`` gives the Python objects the ORM (``bulk_create``) expects.
"""

import datetime as dt
from decimal import Decimal

import numpy as np
from bson import ObjectId
from django.db import models

from .timeline import DAY

OBJECT_ID_TYPES = {"ObjectIdAutoField", "ObjectIdField"}


def _kind(field: models.Field) -> str:
    if field.primary_key or field.is_relation:
        return "key"
    return field.get_internal_type()


def sqlite_values(field: models.Field, values, ops) -> list:
    kind = _kind(field)
    if kind == "key":
        return (np.asarray(values) + 1).tolist()  # ids 1..N
    if kind == "DateTimeField":
        return _datetime_strings(np.asarray(values))
    if kind == "DecimalField":
        return _decimal_strings(field, np.asarray(values))
    if kind == "JSONField":
        return [ops.adapt_json_value(value, field.encoder) for value in values]
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def python_values(field: models.Field, values, *, key_time: int) -> list:
    kind = _kind(field)
    if kind == "key":
        target = field.target_field if field.is_relation else field
        if target.get_internal_type() in OBJECT_ID_TYPES:
            return [object_id(target.model, row, key_time) for row in np.asarray(values).tolist()]
        return (np.asarray(values) + 1).tolist()
    if kind == "DateTimeField":
        return [dt.datetime.fromtimestamp(s, tz=dt.UTC) for s in np.asarray(values).tolist()]
    if kind == "DecimalField":
        _check_cents(field)
        return [Decimal(c).scaleb(-2) for c in np.asarray(values).tolist()]
    return values.tolist() if isinstance(values, np.ndarray) else list(values)


def object_id(model: type[models.Model], row: int, key_time: int) -> ObjectId:
    """A repeatable ObjectId for a row: a fixed timestamp, a per-model tag, the row number."""
    tag = sum(model._meta.label_lower.encode()) % 256
    return ObjectId(key_time.to_bytes(4, "big") + bytes([tag, 0, 0, 0]) + row.to_bytes(4, "big"))


def _datetime_strings(seconds: np.ndarray) -> list[str]:
    """What Django's SQLite backend stores for an aware datetime: str() of it made naive in UTC
    ("YYYY-MM-DD HH:MM:SS", no fraction for whole seconds)."""
    if not len(seconds):
        return []
    days, within = np.divmod(seconds, DAY)
    first = int(days.min())
    dates = np.datetime_as_string(np.arange(first, int(days.max()) + 1).astype("datetime64[D]"))
    dates = np.array([f"{d} " for d in dates.tolist()], dtype=object)
    return (dates[days - first] + _CLOCK[within]).tolist()


_CLOCK = np.array([f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)],
                  dtype=object)


def _decimal_strings(field: models.DecimalField, cents: np.ndarray) -> list[str]:
    """str() of the 2-place Decimal, as Django's SQLite adapter passes it; formatted once per
    distinct value."""
    _check_cents(field)
    if not len(cents):
        return []
    distinct, where = np.unique(cents, return_inverse=True)
    text = np.array([str(Decimal(c).scaleb(-2)) for c in distinct.tolist()], dtype=object)
    return text[where].tolist()


def _check_cents(field: models.DecimalField) -> None:
    if field.decimal_places != 2:
        raise ValueError(f"{field} must have 2 decimal places to hold generated hundredths")
