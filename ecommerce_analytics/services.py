"""Write helpers shared by the apps' services."""

from django.db import models

from ecommerce_analytics.db import atomic


def model_update(*, instance: models.Model, data: dict, fields: list[str]) -> tuple[models.Model, bool]:
    """Set the given ``fields`` from ``data`` (only keys present), validate, save what changed.

    Returns the instance and whether anything changed (the styleguide's ``model_update``).
    """
    changed = [f for f in fields if f in data and getattr(instance, f) != data[f]]
    for field in changed:
        setattr(instance, field, data[field])
    if changed:
        instance.full_clean()
        with atomic():
            instance.save(update_fields=changed)
    return instance, bool(changed)


def model_create(*, model: type[models.Model], **values) -> models.Model:
    """Build, validate (fields, constraints and ``clean()``) and save one record."""
    instance = model(**values)
    instance.full_clean()
    with atomic():
        instance.save(force_insert=True)
    return instance
