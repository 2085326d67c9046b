"""Writes for feedback: every path (admin, API, commands) goes through these."""

import datetime as dt

from django.utils import timezone

from accounts.models import Customer
from catalog.models import Product
from core.services import model_create, model_delete, model_update
from feedback.models import Feedback

FEEDBACK_FIELDS = ["customer", "product", "rating", "comment", "created_at", "external_id"]


def feedback_create(
    *,
    customer: Customer,
    product: Product,
    rating: int,
    comment: str = "",
    created_at: dt.datetime | None = None,
    external_id: str = "",
) -> Feedback:
    return model_create(
        model=Feedback, customer=customer, product=product, rating=rating, comment=comment,
        created_at=created_at or timezone.now(), external_id=external_id or "",
    )


def feedback_update(*, feedback: Feedback, data: dict) -> Feedback:
    feedback, _changed = model_update(instance=feedback, data=data, fields=FEEDBACK_FIELDS)
    return feedback


def feedback_delete(*, feedback: Feedback) -> None:
    model_delete(instance=feedback)
