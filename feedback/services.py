"""Writes for feedback: every path (admin, API, commands) goes through these."""

import datetime as dt

from django.utils import timezone

from accounts.models import Customer
from catalog.models import Product
from ecommerce_analytics.db import atomic
from ecommerce_analytics.services import model_create, model_update
from feedback.models import Feedback
from sales import rollups

FEEDBACK_FIELDS = ["customer", "product", "rating", "comment", "created_at"]


def feedback_create(
    *,
    customer: Customer,
    product: Product,
    rating: int,
    comment: str = "",
    created_at: dt.datetime | None = None,
) -> Feedback:
    with atomic():
        feedback = model_create(
            model=Feedback, customer=customer, product=product, rating=rating, comment=comment,
            created_at=created_at or timezone.now(),
        )
        rollups.feedback_added(feedback=feedback)
    return feedback


def feedback_update(*, feedback: Feedback, data: dict) -> Feedback:
    with atomic():
        old = Feedback.objects.get(pk=feedback.pk)
        feedback, changed = model_update(instance=feedback, data=data, fields=FEEDBACK_FIELDS)
        if changed:
            rollups.feedback_changed(old=old, new=Feedback.objects.get(pk=feedback.pk))
    return feedback


def feedback_delete(*, feedback: Feedback) -> None:
    with atomic():
        old = Feedback.objects.get(pk=feedback.pk)
        feedback.delete()
        rollups.feedback_removed(feedback=old)
