"""Reads of feedback, shared by the API and the pages (product and customer fetched in the same query)."""

from django.db.models import QuerySet

from ecommerce_analytics.filtersets import apply_filters
from feedback.filters import FeedbackFilter
from feedback.models import Feedback


def feedback_list(*, filters: dict | None = None) -> QuerySet[Feedback]:
    qs = Feedback.objects.select_related("product", "customer")
    return apply_filters(FeedbackFilter, filters, qs) if filters else qs


def feedback_get(*, pk) -> Feedback | None:
    return Feedback.objects.select_related("product", "customer").filter(pk=pk).first()
