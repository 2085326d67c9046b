"""Feedback pages: the list with volume and average rating per month, and one piece of feedback."""

from django.shortcuts import render

from ecommerce_analytics.figures import FIGURES
from ecommerce_analytics.views import (
    Column,
    PageFilters,
    Table,
    datatable_json,
    object_or_404,
    page_filters,
    reader_required,
    record_list_page,
)
from feedback.filters import FeedbackFilter
from feedback.selectors import feedback_get, feedback_list

EXTRA_FILTERS = ("product", "customer", "rating_min", "rating_max")
DATES_NOTE = "Dates filter when the feedback was given."
CHIP_LABELS = {
    "product": "Product", "customer": "Customer", "rating_min": "Rating from", "rating_max": "Rating up to",
}


def _row(feedback) -> dict:
    return {
        "created_at": feedback.created_at.isoformat(),
        "created_at_url": feedback.get_absolute_url(),
        "product": feedback.product.name,
        "product_url": feedback.product.get_absolute_url(),
        "customer": feedback.customer.name,
        "customer_url": feedback.customer.get_absolute_url(),
        "rating": feedback.rating,
        "comment": feedback.comment,
    }


TABLE = Table(
    columns=(
        Column("created_at", "Given", "created_at", "datetime-link"),
        Column("product", "Product", None, "link"),
        Column("customer", "Customer", None, "link"),
        Column("rating", "Rating", "rating", "stars"),
        Column("comment", "Comment", None, "long-text"),
    ),
    default_order=("created_at", "desc"),
    list_fn=feedback_list,
    filterset=FeedbackFilter,
    row=_row,
    csv_url_name="feedback-api:feedback-list",
    links_keep_range=True,
)


def _filters(request) -> PageFilters:
    return page_filters(request, extra_keys=EXTRA_FILTERS)


@reader_required
def feedback_list_page(request):
    return record_list_page(
        request, filters=_filters(request), table=TABLE, table_url="feedback:feedback-table",
        template="feedback.html", dates_note=DATES_NOTE, chip_labels=CHIP_LABELS,
        figure=lambda filters: FIGURES["feedback_per_month"](
            date_range=filters.date_range, category=filters.category
        ),
    )


@reader_required
def feedback_table(request):
    return datatable_json(request, table=TABLE, filters=_filters(request))


@reader_required
def feedback_detail_page(request, pk: str):
    feedback = object_or_404(feedback_get, pk)
    return render(request, "feedback_detail.html", {"feedback": feedback})
