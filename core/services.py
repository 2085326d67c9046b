"""Write helpers shared by the apps' services: validate, save, and announce (``core.signals``)."""

from django.db import models

from core.db import atomic
from core.signals import record_changed


def _stored(instance: models.Model) -> models.Model:
    """The row as the database holds it (values as they read back, e.g. Decimals quantized)."""
    return type(instance)._default_manager.get(pk=instance.pk)


def model_update(*, instance: models.Model, data: dict, fields: list[str]) -> tuple[models.Model, bool]:
    """Set the given ``fields`` from ``data`` (only keys present), validate, save what changed.

    Returns the instance and whether anything changed (the styleguide's ``model_update``).
    """
    changed = [f for f in fields if f in data and getattr(instance, f) != data[f]]
    if not changed:
        return instance, False
    with atomic():
        old = _stored(instance)
        for field in changed:
            setattr(instance, field, data[field])
        instance.full_clean()
        instance.save(update_fields=changed)
        record_changed.send(type(instance), old=old, new=_stored(instance), fields=tuple(changed))
    return instance, True


def model_create(*, model: type[models.Model], **values) -> models.Model:
    """Build, validate (fields, constraints and ``clean()``) and save one record."""
    instance = model(**values)
    instance.full_clean()
    with atomic():
        instance.save(force_insert=True)
        record_changed.send(model, old=None, new=instance, fields=None)
    return instance


def model_delete(*, instance: models.Model) -> None:
    """Delete one record (its stored values announced as ``old``)."""
    with atomic():
        old = _stored(instance)
        instance.delete()
        record_changed.send(type(old), old=old, new=None, fields=None)
