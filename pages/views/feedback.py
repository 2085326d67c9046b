"""Feedback pages: the list with volume and average rating per month, and one piece of feedback."""

from django.shortcuts import render

from analytics.figures import FIGURES
from analytics.figures.shared import kept_categories
from core.pages import (
    PageFilters,
    datatable_json,
    object_or_404,
    page_filters,
    reader_required,
    record_list_page,
)
from feedback import tables
from feedback.selectors import feedback_get
from pages.views.chips import RECORD_NAMES


def _filters(request) -> PageFilters:
    return page_filters(request, extra_keys=tables.EXTRA_FILTERS)


@reader_required
def feedback_list_page(request):
    return record_list_page(
        request, filters=_filters(request), table=tables.TABLE, table_url="feedback:feedback-table",
        template="feedback.html", categories=kept_categories(), dates_note=tables.DATES_NOTE,
        chip_labels=tables.CHIP_LABELS, chip_names=RECORD_NAMES,
        figure=lambda filters: FIGURES["feedback_per_month"](
            date_range=filters.date_range, category=filters.category
        ),
    )


@reader_required
def feedback_table(request):
    return datatable_json(request, table=tables.TABLE, filters=_filters(request))


@reader_required
def feedback_detail_page(request, pk: str):
    feedback = object_or_404(feedback_get, pk)
    return render(request, "feedback_detail.html", {"feedback": feedback})
