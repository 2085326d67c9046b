"""Paging: page numbers for customers and products, a keyset cursor for sales and feedback.

``page_size`` is capped at settings.API_MAX_PAGE_SIZE; a value that is not a positive whole number
is a 400 naming ``page_size`` (DRF would silently fall back to the default).
"""

from base64 import b64decode, b64encode
from binascii import Error as Base64Error
from typing import NamedTuple
from urllib import parse

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from rest_framework import pagination
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.utils.urls import replace_query_param

PAGE_SIZE_INVALID = "Enter a whole number of at least 1 (at most {max} are returned)."


def page_size_from(request, *, param: str, default: int, cap: int) -> int:
    raw = request.query_params.get(param)
    if raw in (None, ""):
        return default
    try:
        size = int(raw)
    except ValueError:
        size = 0
    if size < 1:
        raise ValidationError({param: [PAGE_SIZE_INVALID.format(max=cap)]})
    return min(size, cap)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size_from(
            request, param=self.page_size_query_param, default=self.page_size, cap=self.max_page_size
        )


class Position(NamedTuple):
    value: object  # the ordering column's value of the row the page starts after
    pk: object
    reverse: bool


class KeysetCursorPagination(pagination.CursorPagination):
    """Opaque ``cursor`` links over (ordering column, id), so page 10,000 costs what page 1 costs.

    DRF's CursorPagination filters on the ordering column alone and skips rows sharing its value
    with an offset (capped at 1,000): ordering by rating would page wrongly. Here each link
    remembers the last row's value and id, and the next page is
    ``col < v OR (col = v AND id < pk)`` — written ``col <= v AND (col < v OR id < pk)`` so the
    database walks the column's index (an index entry ends with the row id on SQLite).

    The ordering is the queryset's own (the FilterSet's ``ordering`` parameter, else the model's
    ``Meta.ordering``): its first column, ties broken by id in the same direction.
    """

    page_size_query_param = "page_size"
    ordering = None
    invalid_cursor_message = "Invalid cursor: use the `next` and `previous` links as given."

    @property
    def max_page_size(self):
        return settings.API_MAX_PAGE_SIZE

    def get_page_size(self, request):
        return page_size_from(
            request, param=self.page_size_query_param, default=self.page_size, cap=self.max_page_size
        )

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.meta = queryset.model._meta
        self.column, self.descending = self.ordering_of(queryset)
        self.ordering = (f"-{self.column}" if self.descending else self.column,)
        self.cursor = self.decode_cursor(request)

        backwards = bool(self.cursor and self.cursor.reverse)
        descending = self.descending != backwards
        sign = "-" if descending else ""
        queryset = queryset.order_by(f"{sign}{self.column}", f"{sign}pk")
        if self.cursor is not None:
            queryset = queryset.filter(self.after(self.cursor, descending=descending))

        rows = list(queryset[: self.page_size + 1])
        more = len(rows) > self.page_size
        self.page = rows[: self.page_size]
        if backwards:
            self.page.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, self.cursor is not None
        if (self.has_previous or self.has_next) and self.template is not None:
            self.display_page_controls = True
        return self.page

    def ordering_of(self, queryset) -> tuple[str, bool]:
        first = (queryset.query.order_by or queryset.model._meta.ordering or ["pk"])[0]
        column = first.lstrip("-")
        assert isinstance(first, str) and "__" not in column, f"Cannot page by a cursor on {first!r}."
        return column, first.startswith("-")

    def after(self, position: Position, *, descending: bool) -> Q:
        op = "lt" if descending else "gt"
        column = self.column
        return Q(**{f"{column}__{op}e": position.value}) & (
            Q(**{f"{column}__{op}": position.value}) | Q(**{f"pk__{op}": position.pk})
        )

    # --- links -------------------------------------------------------------------------------

    def get_next_link(self):
        if not self.has_next:
            return None
        if not self.page:  # stepped back past the start: the next page starts where we came from
            return self.encode_cursor(self.cursor._replace(reverse=False))
        return self.encode_cursor(self.position_of(self.page[-1], reverse=False))

    def get_previous_link(self):
        if not self.has_previous:
            return None
        if not self.page:
            return self.encode_cursor(self.cursor._replace(reverse=True))
        return self.encode_cursor(self.position_of(self.page[0], reverse=True))

    def position_of(self, row, *, reverse: bool) -> Position:
        column = self.meta.pk if self.column == "pk" else self.meta.get_field(self.column)
        return Position(column.value_to_string(row), str(row.pk), reverse)

    def encode_cursor(self, position: Position) -> str:
        tokens = {"v": str(position.value), "k": str(position.pk)}
        if position.reverse:
            tokens["r"] = "1"
        encoded = b64encode(parse.urlencode(tokens).encode()).decode("ascii")
        return replace_query_param(self.base_url, self.cursor_query_param, encoded)

    def decode_cursor(self, request) -> Position | None:
        """The cursor's row position, its values parsed by the model's fields, so a tampered cursor
        is a 404, never a database error."""
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded is None:
            return None
        column = self.meta.pk if self.column == "pk" else self.meta.get_field(self.column)
        try:
            text = b64decode(encoded.encode("ascii"), validate=True).decode()
            tokens = parse.parse_qs(text, strict_parsing=True)
            return Position(
                value=column.to_python(tokens["v"][0]),
                pk=self.meta.pk.to_python(tokens["k"][0]),
                reverse=tokens.get("r", ["0"])[0] == "1",
            )
        except (Base64Error, UnicodeError, ValueError, TypeError, KeyError, DjangoValidationError):
            raise NotFound(self.invalid_cursor_message) from None
