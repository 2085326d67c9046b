"""The rebuild on MongoDB: new rows built beside the old, then switched in, as the search rebuild swaps
an alias.

Each rollup model gets a shadow model (same fields, its own registry so no migration or system check
sees it) over ``<collection>__rebuild``, created empty with the live collection's indexes. The build
writes there while figures keep reading the live collections; then each shadow is renamed over its
live collection (``renameCollection`` with ``dropTarget``: atomic per collection, and a metadata change,
so the twelve take milliseconds) and the rollups' version is bumped, after the switch, so a figure
cached from the old rows is never taken for the new (analytics.figures.cached).

Writes that arrive during the build move the live rollups and bump the version; the new rows may or
may not include them, so the build is done again when the version moved, and after ``ATTEMPTS``
builds that each saw writes the live rollups are kept and RollupsBusy raised. What is not covered:
a write landing between the last version check and the renames (milliseconds), and a figure that
reads two rollups while the renames run, which may see one old and one new.
"""

from django.apps.registry import Apps
from django.db import connection, models
from django_mongodb_backend.fields import ObjectIdField

from analytics.rollups.version import version_bump, version_current
from core.db import create_collection_like

SHADOW = "{table}__rebuild"
ATTEMPTS = 3
BUSY = (
    "Rollups not rebuilt: records kept changing during {n} rebuilds in a row. The rollups are as they "
    "were (kept exact by every write); run rebuild_rollups again when writes are quieter."
)

_registry = Apps()
_shadows: dict = {}


class RollupsBusy(Exception):
    pass


def rebuild_beside(build, *, models: tuple) -> None:
    """``build(into=...)`` writing each model's rows into its shadow, then the switch."""
    for _attempt in range(ATTEMPTS):
        seen = version_current()
        shadows = {model: shadow_model(model) for model in models}
        for model, shadow in shadows.items():
            _fresh(model, shadow)
        build(into=shadows.__getitem__)
        if version_current() == seen:
            break
    else:
        for shadow in shadows.values():
            connection.database.drop_collection(shadow._meta.db_table)
        raise RollupsBusy(BUSY.format(n=ATTEMPTS))
    for model, shadow in shadows.items():
        connection.database[shadow._meta.db_table].rename(model._meta.db_table, dropTarget=True)
    version_bump()


def shadow_model(model: type[models.Model]) -> type[models.Model]:
    """A model with ``model``'s columns over ``<its collection>__rebuild`` (foreign keys as plain ids)."""
    if model not in _shadows:
        attrs = {"__module__": __name__}
        for field in model._meta.local_fields:
            if field.primary_key:
                continue
            if field.is_relation:
                attrs[field.attname] = ObjectIdField(db_column=field.column, null=field.null)
            else:
                attrs[field.name] = field.clone()
        attrs["Meta"] = type("Meta", (), {
            "app_label": model._meta.app_label, "apps": _registry,
            "db_table": SHADOW.format(table=model._meta.db_table),
        })
        _shadows[model] = type(f"{model.__name__}Rebuild", (models.Model,), attrs)
    return _shadows[model]


def _fresh(model, shadow) -> None:
    """The shadow collection, empty (a failed earlier build's rows dropped), with the live one's indexes."""
    database, name = connection.database, shadow._meta.db_table
    database.drop_collection(name)
    create_collection_like(database, model._meta.db_table, name)
