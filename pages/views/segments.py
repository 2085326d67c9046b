"""The RFM segments page (/users/segments/): sizes and revenue, the R × FM grid, movement over the
range, and a segment's customers (/users/segments/customers/)."""

from urllib.parse import urlencode

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse

from accounts import tables as customer_tables
from analytics.figures.cached import figure_cached
from analytics.figures.segments import SEGMENTS
from analytics.members import SegmentMemberFilter, segment_member_list
from analytics.rollups.version import version_current
from core.api.csv_export import csv_response
from core.pages import Table, datatable_json, filter_bar, page_filters, reader_required, record_list_page


def _filters(request):
    filters = page_filters(request)
    filters.category = None  # a segment is about everything a customer bought
    return filters


@reader_required
def segment_page(request):
    filters = _filters(request)
    version = version_current()  # both cached by it: scoring every customer takes most of a second
    segments = figure_cached("rfm_segments", version=version, date_range=filters.date_range)
    movement = figure_cached("segment_movement", version=version, date_range=filters.date_range)
    as_of = {"date_to": segments["as_of"]}
    members = reverse("accounts:segment-customers")
    rows = [{**row, "href": f"{members}?{urlencode({**as_of, 'segment': row['segment']})}"}
            for row in segments["segments"]]
    top = max((row["customers"] for row in movement["rows"]), default=0)
    start = {"date_from": filters.date_range.start.isoformat()} if filters.date_range.start else {}

    def moved(row, to):  # a cell opens the customers who moved from its row's segment to its column's
        query = {**start, "date_to": movement["to"], "segment": to, "moved_from": row["from"]}
        return f"{members}?{urlencode(query)}" if row["to"][to] else ""

    moves = [
        {"from": row["from"], "customers": row["customers"],
         "cells": [{"to": to, "customers": row["to"][to], "stays": to == row["from"], "href": moved(row, to)}
                   for to in SEGMENTS]}
        for row in movement["rows"]
    ]
    grid = {(cell["r"], cell["fm"]): cell for cell in segments["grid"]}
    return render(request, "segments.html", {
        **filter_bar(request, filters, dates_note="Scored as of the last day of the range (today when open); "
                                                 "movement from the day before its first."),
        "segments": segments, "rows": rows, "movement": movement, "moves": moves, "top": top,
        "range_query": urlencode(filters.range_params()),
        "grid_rows": [[grid[(r, fm)] for r in range(1, 6)] for fm in range(5, 0, -1)],
    })


@reader_required
def segment_csv(request):
    """The segments' sizes and revenue as CSV (``?table=movement``: the movement matrix, one line per
    start segment), for the page's range."""
    filters = _filters(request)
    if filters.errors:
        return HttpResponseBadRequest("\n".join(filters.errors), content_type="text/plain")
    version = version_current()
    if request.GET.get("table") == "movement":
        movement = figure_cached("segment_movement", version=version, date_range=filters.date_range)
        rows = ({"from": row["from"], **row["to"], "customers": row["customers"]} for row in movement["rows"])
        return csv_response(header=["from", *SEGMENTS, "customers"], rows=rows,
                            filename=f"segment-movement-{movement['to']}.csv")
    segments = figure_cached("rfm_segments", version=version, date_range=filters.date_range)
    rows = ({**row, "as_of": segments["as_of"]} for row in segments["segments"])
    return csv_response(header=["as_of", "segment", "customers", "share", "revenue"], rows=rows,
                        filename=f"segments-{segments['as_of']}.csv")


MEMBER_TABLE = Table(
    columns=customer_tables.TABLE.columns,
    default_order=customer_tables.TABLE.default_order,
    list_fn=segment_member_list,
    filterset=SegmentMemberFilter,
    row=customer_tables.TABLE.row,
    csv_url_name="analytics-api:segment-customers",
)


def _member_filters(request):
    filters = page_filters(request, extra_keys=("segment", "moved_from"))
    filters.category = None
    return filters


@reader_required
def segment_customers_page(request):
    return record_list_page(
        request, filters=_member_filters(request), table=MEMBER_TABLE, table_url="accounts:segment-customer-table",
        template="segment_customers.html", figure=lambda filters: {},
        chip_labels={"segment": "Segment", "moved_from": "Moved from"},
        dates_note="The segment as of the To date (today when empty); with Moved from, the customers who were "
                   "in that segment the day before the From date.",
    )


@reader_required
def segment_customer_table(request):
    return datatable_json(request, table=MEMBER_TABLE, filters=_member_filters(request))
