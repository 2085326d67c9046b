"""CSV: ``?format=csv`` on every list streams all matching rows, a chunk at a time.

The columns are the JSON rows' keys in the same order; each cell is the JSON value as text
(``true``/``false`` for booleans, JSON for objects, empty for null). Text that a spreadsheet
would run as a formula (starting with = + - @, tab or CR, and not a number) gets a leading
``'`` (OWASP's advice against CSV injection).
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

from django.http import StreamingHttpResponse
from rest_framework import renderers

CHUNK_SIZE = 2000
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = str(value)
    if isinstance(value, str) and text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def csv_lines(header: list[str], rows: Iterable[dict]) -> Iterator[str]:
    """The header line, then one chunk of lines per CHUNK_SIZE rows (a small buffer, reused)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    rows = iter(rows)
    while True:
        chunk = list(islice(rows, CHUNK_SIZE))
        writer.writerows([cell(row.get(name)) for name in header] for row in chunk)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(chunk) < CHUNK_SIZE:
            return


def chunked(iterable: Iterable, size: int) -> Iterator[list]:
    iterator = iter(iterable)
    while chunk := list(islice(iterator, size)):
        yield chunk


def stream_records(
    queryset, *, represent: Callable[[object], dict], prepare: Callable[[list], object] | None = None
) -> Iterator[dict]:
    """Rows of ``queryset`` read with a database cursor in chunks (constant memory), each chunk
    handed to ``prepare`` (e.g. to attach related records) before it is represented."""
    for chunk in chunked(queryset.iterator(chunk_size=CHUNK_SIZE), CHUNK_SIZE):
        if prepare:
            prepare(chunk)
        yield from (represent(obj) for obj in chunk)


def csv_response(*, header: list[str], rows: Iterable[dict], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CSVRenderer(renderers.BaseRenderer):
    """Selects CSV for ``?format=csv``; lists stream through ``csv_response`` and never get here.
    A single record (or an action's result) renders as a one-row CSV."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
        header = list(rows[0]) if rows else []
        return "".join(csv_lines(header, rows)).encode(self.charset)
