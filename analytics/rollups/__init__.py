"""Rollups behind the analytics figures: kept exact by the write services, rebuilt after seeding."""

from analytics.rollups.rebuild import rollups_rebuild
from analytics.rollups.writes import (
    customer_added,
    customer_changed,
    customer_removed,
    feedback_added,
    feedback_changed,
    feedback_removed,
    product_recategorized,
    sale_added,
    sale_changed,
    sale_removed,
)

__all__ = [
    "customer_added", "customer_changed", "customer_removed", "feedback_added", "feedback_changed",
    "feedback_removed", "product_recategorized", "rollups_rebuild", "sale_added", "sale_changed",
    "sale_removed",
]
