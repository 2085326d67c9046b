"""How the rollups follow what the write services announce (``core.signals``).

``record_changed`` arrives inside the write's transaction, so a rollup moves with the record or not at
all; ``records_seeded`` follows seed_data's bulk inserts, which bypass the services.
"""

import logging
import time

from analytics import rollups
from analytics.rollups.version import PLACES, version_bump

logger = logging.getLogger(__name__)


def _recategorized(*, old, new):
    rollups.product_recategorized(product_id=new.pk, old=old.category, new=new.category)


# Per model: what to do when a record is (added, changed, removed); None: that write moves no rollup.
FOLLOW = {
    "accounts.Customer": (
        lambda new: rollups.customer_added(customer=new), rollups.customer_changed,
        lambda old: rollups.customer_removed(customer=old),
    ),
    "catalog.Product": (None, _recategorized, None),
    "sales.Sale": (
        lambda new: rollups.sale_added(sale=new), rollups.sale_changed,
        lambda old: rollups.sale_removed(sale=old),
    ),
    "feedback.Feedback": (
        lambda new: rollups.feedback_added(feedback=new), rollups.feedback_changed,
        lambda old: rollups.feedback_removed(feedback=old),
    ),
}


def record_changed(sender, *, old, new, fields, **kwargs):
    if sender._meta.label not in FOLLOW:
        return
    added, changed, removed = FOLLOW[sender._meta.label]
    if old is None and added:
        added(new)
    elif new is None and removed:
        removed(old)
    elif old is not None and new is not None and changed:
        changed(old=old, new=new)
    # In the write's transaction, even when no rollup moved (a product added, a name changed): what is
    # cached from the rollups and records (fits, figures: analytics.fits) is now stale.
    version_bump()
    if sender._meta.label == "accounts.Customer":
        version_bump(PLACES)


def records_seeded(sender, **kwargs):
    started = time.perf_counter()
    version_bump(PLACES)
    rollups.rollups_rebuild()
    # Said with its time: after a large seed or import this is the longest step a user waits for.
    logger.info("Rollups rebuilt after seeding in %.1f s.", time.perf_counter() - started)
