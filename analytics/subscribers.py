"""How the rollups follow what the write services announce (``core.signals``).

``record_changed`` arrives inside the write's transaction, so a rollup moves with the record or not at
all; ``records_seeded`` follows seed_data's bulk inserts, which bypass the services.
"""

from analytics import rollups


def _customer(old, new, fields):
    if old is None:
        rollups.customer_added(customer=new)
    elif new is None:
        rollups.customer_removed(customer=old)
    else:
        rollups.customer_changed(old=old, new=new)


def _product(old, new, fields):
    if old is not None and new is not None:
        rollups.product_recategorized(product_id=new.pk, old=old.category, new=new.category)


def _sale(old, new, fields):
    if old is None:
        rollups.sale_added(sale=new)
    elif new is None:
        rollups.sale_removed(sale=old)
    else:
        rollups.sale_changed(old=old, new=new)


def _feedback(old, new, fields):
    if old is None:
        rollups.feedback_added(feedback=new)
    elif new is None:
        rollups.feedback_removed(feedback=old)
    else:
        rollups.feedback_changed(old=old, new=new)


FOLLOW = {
    "accounts.Customer": _customer,
    "catalog.Product": _product,
    "sales.Sale": _sale,
    "feedback.Feedback": _feedback,
}


def record_changed(sender, *, old, new, fields, **kwargs):
    follow = FOLLOW.get(sender._meta.label)
    if follow:
        follow(old, new, fields)


def records_seeded(sender, **kwargs):
    rollups.rollups_rebuild()
