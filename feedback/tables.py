"""The feedback table as the pages (the feedback list, a product's and a customer's page) show it."""

from core.pages import Column, Table
from feedback.filters import FeedbackFilter
from feedback.selectors import feedback_list

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
    related=("product", "customer"),  # _row reads both: two queries per page, not two per row
    csv_url_name="feedback-api:feedback-list",
    links_keep_range=True,
)
