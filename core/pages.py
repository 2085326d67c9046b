"""What every analyst page shares: access, the filter bar and DataTables' protocol.

This toolkit knows no app: pages hand it their categories, tables and how to name a chip's record.
"""

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse

from core.filters import (
    COMPARE_CHOICES,
    COMPARE_PREVIOUS,
    CompareFilterForm,
    DateRange,
    RangeFilterForm,
    today,
)
from core.permissions import can_read
from core.selectors import attach_related

NOT_A_READER = "Your account can sign in, but these pages are for analysts and staff."
FILTER_IGNORED = "Showing every date and category until the filter is fixed."
FIELD_LABELS = {"date_from": "From", "date_to": "To", "category": "Category", "compare": "Compare with"}

# (key, label, days including today); "all" clears the dates.
PRESETS = (("7d", "7 days", 7), ("30d", "30 days", 30), ("90d", "90 days", 90), ("12m", "12 months", 365))

def reader_required(view):
    """Login required (redirect to the login page); signed in but neither analyst nor staff → 403."""

    @functools.wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not can_read(request.user):
            raise PermissionDenied(NOT_A_READER)
        return view(request, *args, **kwargs)

    return wrapped


# --- The filter bar --------------------------------------------------------------------------


@dataclass
class PageFilters:
    """The shared filters of one request (date range, category) plus the page's own (city, product...)."""

    date_range: DateRange = field(default_factory=DateRange)
    category: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # What the range is compared with (core.filters.COMPARE_CHOICES); None on pages that compare nothing.
    compare: str | None = None
    errors: list[str] = field(default_factory=list)

    def params(self) -> dict[str, str]:
        """The valid filters as query parameters (what links, tables and CSV exports carry on)."""
        params = {}
        if self.date_range.start:
            params["date_from"] = self.date_range.start.isoformat()
        if self.date_range.end:
            params["date_to"] = self.date_range.end.isoformat()
        if self.category:
            params["category"] = self.category
        if self.compare and self.compare != COMPARE_PREVIOUS:
            params["compare"] = self.compare
        return {**params, **self.extra}

    def range_params(self) -> dict[str, str]:
        """Only the dates: what a drill-down carries to another page."""
        return {k: v for k, v in self.params().items() if k in ("date_from", "date_to")}

    def querystring(self, **overrides) -> str:
        """The filters as a query string, ``overrides`` applied (None drops a key); dates come first."""
        unset = dict.fromkeys(("date_from", "date_to", "category", "compare"))
        params = {**unset, **self.params(), **overrides}
        return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def page_filters(
    request, *, extra_keys: tuple[str, ...] = (), compare: bool = False
) -> PageFilters:
    """Read the filter bar from the query string; a bad value becomes a message, never an error page.
    ``compare``: the page also reads ``compare`` (the dashboard's KPI cards)."""
    form = (CompareFilterForm if compare else RangeFilterForm)(request.GET)
    extra = {key: request.GET[key].strip() for key in extra_keys if request.GET.get(key, "").strip()}
    if not form.is_valid():
        errors = [
            f"{FIELD_LABELS.get(name, name)}: {message}"
            for name, messages in form.errors.items()
            for message in messages
        ]
        return PageFilters(
            extra=extra, errors=[*errors, FILTER_IGNORED], compare=COMPARE_PREVIOUS if compare else None,
        )
    return PageFilters(
        date_range=form.date_range, category=form.selected_category, extra=extra,
        compare=form.selected_compare if compare else None,
    )


def drop_rejected_filters(filters: PageFilters, table: "Table") -> None:
    """Validate the page's own filters with the table's selector; rejected ones are dropped with a
    message, so the page, its table and its CSV link agree on what is shown."""
    try:
        table.queryset(filters)
    except ValidationError as exc:
        filters.errors.extend(f"{name}: {' '.join(msgs)}" for name, msgs in exc.message_dict.items())
        filters.extra = {}


def filter_bar(
    request, filters: PageFilters, *, categories: Sequence[str] = (), dates_note: str = "",
    selects: Sequence[dict] = (),
) -> dict:
    """Template context for ``includes/filter_bar.html``: preset links, the active one, the
    ``categories`` to choose from (none: the page has no category filter), and a page's own
    ``selects`` (``{"name", "label", "all_label", "options": [(value, label)]}``, the value from
    ``filters.extra``) beside them, applied with the rest."""
    end = today()
    presets = []
    active = "custom" if (filters.date_range.start or filters.date_range.end) else "all"
    for key, label, days in PRESETS:
        start = end - dt.timedelta(days=days - 1)
        if filters.date_range == DateRange(start, end):
            active = key
        presets.append({
            "key": key, "label": label,
            "query": filters.querystring(date_from=start.isoformat(), date_to=end.isoformat()),
        })
    presets.append({"key": "all", "label": "All", "query": filters.querystring(date_from=None, date_to=None)})
    return {
        "filters": filters,
        "presets": presets,
        "active_preset": active,
        "categories": list(categories),
        "show_categories": bool(categories),
        "compare_choices": COMPARE_CHOICES if filters.compare else (),
        "dates_note": dates_note,
        "selects": [{**select, "value": filters.extra.get(select["name"], "")} for select in selects],
        "select_keys": [select["name"] for select in selects],
        "extra_chips": [],
        "path": request.path,
        # What was typed, so a bad date stays in its box beside the message.
        "typed": {key: request.GET.get(key, "") for key in ("date_from", "date_to", "category")},
    }


def chip(filters: PageFilters, *, key: str, label: str, value: str) -> dict:
    """A removable "City: Lisbon ×" for a page-specific filter."""
    return {"label": label, "value": value, "remove_query": filters.querystring(**{key: None})}


def record_chips(
    filters: PageFilters,
    *,
    labels: dict[str, str] | None = None,
    choices: dict[str, dict] | None = None,
    names: dict[str, Callable[[str], str | None]] | None = None,
) -> list[dict]:
    """Chips for a page's own filters, showing what a value means rather than an id: ``names[key](value)``
    (e.g. a product's name; None when there is no such record) or ``choices[key][value]``; each
    labelled from ``labels`` or its title-cased key."""
    labels, choices, names = labels or {}, choices or {}, names or {}
    chips = []
    for key, value in filters.extra.items():
        shown = value
        if key in names:
            shown = names[key](value) or value
        elif key in choices:
            shown = choices[key].get(value, value)
        chips.append(chip(filters, key=key, label=labels.get(key, key.title()), value=shown))
    return chips


def record_list_page(
    request,
    *,
    filters: PageFilters,
    table: "Table",
    table_url: str,
    template: str,
    figure: Callable[[PageFilters], dict],
    figures: dict[str, Callable[[PageFilters], dict]] | None = None,
    categories: Sequence[str] = (),
    dates_note: str = "",
    chip_labels: dict[str, str] | None = None,
    chip_choices: dict[str, dict] | None = None,
    chip_names: dict[str, Callable[[str], str | None]] | None = None,
    context: Callable[[PageFilters], dict] | None = None,
):
    """A record page: the filter bar, its chart (``figure(filters)``), any more charts (``figures``:
    name → fn(filters), in the context as ``figures``), its server-side table and ``context(filters)``."""
    drop_rejected_filters(filters, table)
    bar = filter_bar(request, filters, categories=categories, dates_note=dates_note)
    bar["extra_chips"] = record_chips(filters, labels=chip_labels, choices=chip_choices, names=chip_names)
    return render(request, template, {
        **bar,
        "figure": figure(filters),
        "figures": {name: fn(filters) for name, fn in (figures or {}).items()},
        "table": table_context(table=table, url=reverse(table_url), filters=filters),
        **(context(filters) if context else {}),
    })


# --- DataTables server-side processing ---------------------------------------------------------

MAX_PAGE_LENGTH = 100
# Counting stops here: a table of a million sales answers "more than 10,000" instead of a full COUNT.
COUNT_CAP = 10_000
BAD_PARAM = "{name} must be {what}."


@dataclass(frozen=True)
class Column:
    """One table column: ``name`` keys the row dict; ``order_by`` (a model field, also the API's
    ``ordering`` name) makes it sortable; ``kind`` tells the page's script how to format it."""

    name: str
    title: str
    order_by: str | None = None
    kind: str = "text"


@dataclass(frozen=True)
class Table:
    """A record page's table: its columns, default sort, selector and row shape.

    Search and sort go through the selector's own ``search`` / ``ordering`` filters, the ones the
    API's CSV export reads too, so the download holds what the table shows. Only the filters the
    record's FilterSet declares are passed on (the API answers 400 to any other parameter).
    """

    columns: tuple[Column, ...]
    default_order: tuple[str, str]  # (column name, "asc"/"desc")
    list_fn: Callable[..., QuerySet]  # <app>.selectors.<record>_list
    filterset: type[django_filters.FilterSet]  # what list_fn filters with
    row: Callable[[object], dict]
    csv_url_name: str  # the API list that exports CSV
    # Links to products and customers keep the date range when the dates mean "when it happened".
    links_keep_range: bool = False
    # Foreign keys whose rows ``row`` reads: loaded for the whole page in one query each.
    related: tuple[str, ...] = ()

    def params(self, filters: PageFilters) -> dict[str, str]:
        accepted = set()
        for name, declared in self.filterset.base_filters.items():
            is_range = isinstance(declared, django_filters.RangeFilter)
            accepted |= {f"{name}_min", f"{name}_max"} if is_range else {name}
        return {k: v for k, v in filters.params().items() if k in accepted}

    def queryset(self, filters: PageFilters, **more) -> QuerySet:
        return self.list_fn(filters={**self.params(filters), **more})

    def config(
        self, *, url: str, filters: PageFilters, page_length: int = 25, hidden: tuple[str, ...] = ()
    ) -> dict:
        """What ``static/app/tables.js`` needs (rendered with json_script)."""
        names = [c.name for c in self.columns]
        return {
            "url": url,
            "csv_url": reverse(self.csv_url_name),
            "params": self.params(filters),
            "columns": [
                {"name": c.name, "title": c.title, "kind": c.kind, "orderable": bool(c.order_by),
                 "ordering": c.order_by, "visible": c.name not in hidden}
                for c in self.columns
            ],
            "order": [names.index(self.default_order[0]), self.default_order[1]],
            "page_length": page_length,
            "link_params": filters.range_params() if self.links_keep_range else {},
        }


class BadParameter(ValueError):
    def __init__(self, name: str, what: str):
        super().__init__(BAD_PARAM.format(name=name, what=what))
        self.name = name


def _int_param(params, name: str, *, default: int, minimum: int) -> int:
    raw = params.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, "a whole number") from None
    if value < minimum:
        raise BadParameter(name, f"at least {minimum}")
    return value


def capped_count(qs: QuerySet) -> tuple[int, bool]:
    """Count up to COUNT_CAP rows; the flag says the real number is larger."""
    count = qs.order_by()[: COUNT_CAP + 1].count()
    return min(count, COUNT_CAP), count > COUNT_CAP


def datatable_json(request, *, table: Table, filters: PageFilters) -> JsonResponse:
    """Answer one DataTables server-side request: filter, search, sort and page through the selector."""
    if filters.errors:
        return JsonResponse({"error": filters.errors[0]}, status=400)
    params = request.GET
    try:
        draw = _int_param(params, "draw", default=0, minimum=0)
        start = _int_param(params, "start", default=0, minimum=0)
        length = _int_param(params, "length", default=25, minimum=-1)
        length = MAX_PAGE_LENGTH if length in (-1, 0) else min(length, MAX_PAGE_LENGTH)
        term = params.get("search[value]", "").strip()
        ordering = _ordering(params, table)
        base = table.queryset(filters, ordering=ordering)
        qs = table.queryset(filters, ordering=ordering, search=term) if term else base
    except BadParameter as exc:
        return JsonResponse({"error": str(exc), "field": exc.name}, status=400)
    except ValidationError as exc:
        name, messages = next(iter(exc.message_dict.items()))
        return JsonResponse({"error": f"{name}: {' '.join(messages)}", "field": name}, status=400)
    filtered, capped = capped_count(qs)
    total, total_capped = capped_count(base) if term else (filtered, capped)
    return JsonResponse({
        "draw": draw,
        "recordsTotal": total,
        "recordsFiltered": filtered,
        "capped": capped,
        "totalCapped": total_capped,
        "data": [table.row(obj) for obj in attach_related(qs[start:start + length], *table.related)],
    })


def _ordering(params, table: Table) -> str:
    """``order[0][column]`` / ``order[0][dir]`` → the selector's ``ordering``, sortable columns only."""
    column_name, direction = table.default_order
    if "order[0][column]" in params:
        index = _int_param(params, "order[0][column]", default=0, minimum=0)
        if index >= len(table.columns) or not table.columns[index].order_by:
            sortable = ", ".join(str(i) for i, c in enumerate(table.columns) if c.order_by)
            raise BadParameter("order[0][column]", f"one of the sortable columns ({sortable})")
        column_name = table.columns[index].name
        direction = params.get("order[0][dir]", "asc")
        if direction not in ("asc", "desc"):
            raise BadParameter("order[0][dir]", "asc or desc")
    column = next(c for c in table.columns if c.name == column_name)
    return f"{'-' if direction == 'desc' else ''}{column.order_by}"


def table_context(
    *, table: Table, url: str, filters: PageFilters, page_length: int = 25, hidden: tuple[str, ...] = ()
) -> dict:
    """Context for ``includes/data_table.html``: the table's config, its headers and the CSV link.

    ``hidden`` columns stay in the data (and the CSV) but are not shown, e.g. the product on its own page.
    """
    config = table.config(url=url, filters=filters, page_length=page_length, hidden=hidden)
    return {
        "config": config,
        "columns": table.columns,
        "csv_href": f"{config['csv_url']}?{urlencode({**config['params'], 'format': 'csv'})}",
    }


def object_or_404(get: Callable[..., object | None], pk: str):
    """``get(pk=pk)`` or a 404 (the selectors return None for unknown and malformed ids)."""
    obj = get(pk=pk)
    if obj is None:
        raise Http404("No such record.")
    return obj
