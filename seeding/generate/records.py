"""The four seeded record types: are there any, and clearing them."""

from django.db import models
from django.db.models.deletion import get_candidate_relations_to_delete

from accounts.models import Customer
from catalog.models import Product
from feedback.models import Feedback
from sales.models import Sale

# Children before parents, for deleting.
SEEDED_MODELS = (Feedback, Sale, Product, Customer)


def tables_with_records(*, using: str) -> list[str]:
    """Names (plural) of the seeded record types that have at least one row."""
    return [
        str(model._meta.verbose_name_plural)
        for model in reversed(SEEDED_MODELS)
        if model._base_manager.using(using).exists()
    ]


def clear_records(*, using: str) -> None:
    """Delete every customer, product, sale and feedback row.

    A raw delete per table: like the bulk insert it skips model signals and Django's row-by-row
    collector (which would load a million sales into memory); records_seeded(cleared=True) tells
    receivers to rebuild what derives from these rows. Rows of other models pointing here get
    what their ``on_delete`` asks for (CASCADE: deleted through the ORM, SET_NULL: nulled);
    any other kind is left to the foreign-key check, which then fails the whole seed.
    """
    clear_outside(using=using)
    for model in SEEDED_MODELS:
        model._base_manager.using(using).all()._raw_delete(using)


def clear_outside(*, using: str) -> None:
    """What clearing the records does to other models' rows pointing at them (see clear_records)."""
    for model in SEEDED_MODELS:
        for relation in outside_relations(model):
            field = relation.field
            referring = relation.related_model._base_manager.using(using).filter(
                **{f"{field.name}__isnull": False}
            )
            if relation.on_delete is models.CASCADE:
                referring.delete()
            elif relation.on_delete is models.SET_NULL:
                referring.update(**{field.name: None})


def outside_relations(model: type[models.Model]) -> list:
    """Foreign keys (and one-to-ones) of other models that point at ``model``."""
    return [
        relation for relation in get_candidate_relations_to_delete(model._meta)
        if relation.related_model not in SEEDED_MODELS
    ]


def outside_tables() -> list[str]:
    """Tables of other models that point at the seeded ones (their foreign keys are checked after a clear)."""
    return sorted({
        relation.related_model._meta.db_table
        for model in SEEDED_MODELS
        for relation in outside_relations(model)
    })
