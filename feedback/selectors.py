"""Reads of feedback, shared by the API and the pages.

Lists are not joined: page first, then ``attach_related(page, "product", "customer")`` —
two queries per page on both backends, never a join over every matching row.
"""

from django.db.models import QuerySet

from core.filtersets import apply_filters
from core.selectors import attach_related, get_or_none
from feedback.filters import FeedbackFilter
from feedback.models import Feedback


def feedback_list(*, filters: dict | None = None) -> QuerySet[Feedback]:
    qs = Feedback.objects.all()
    return apply_filters(FeedbackFilter, filters, qs) if filters else qs


def feedback_get(*, pk) -> Feedback | None:
    obj = get_or_none(Feedback.objects.all(), pk)
    return attach_related([obj], "product", "customer")[0] if obj else None
