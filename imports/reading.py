"""Read import files: CSV (UTF-8 with or without BOM, comma or semicolon, header row) or JSON Lines.

``.gz`` files are decompressed as they are read; ``-`` is standard input. Every reader yields
``(line, row)``: the line number in the file (the header is line 1) and a dict of column → value
(strings for CSV, JSON values for JSON Lines), with ``--map`` renames applied.
"""

import csv
import gzip
import io
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice
from operator import methodcaller
from pathlib import Path

from core.prefetch import prefetched

FORMATS = ("auto", "csv", "jsonl", "cdnow")
NOT_AN_OBJECT = "each line must be a JSON object"
BAD_JSON = "not valid JSON ({error})"


class ReadError(Exception):
    """A file that cannot be read at all (not a bad row): missing, not UTF-8, no header."""


class BadLine(Exception):
    """A line that cannot be parsed into a row; reported like a bad row."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def display_name(path: str) -> str:
    return "<stdin>" if path == "-" else path


def open_text(path: str) -> io.TextIOBase:
    """A text stream over ``path`` (``-``: stdin; ``.gz``: decompressed), BOM dropped, newlines kept."""
    if path == "-":
        raw = sys.stdin.buffer
    else:
        try:
            raw = open(path, "rb")  # noqa: SIM115 (closed by the caller through the text wrapper)
        except OSError as exc:
            raise ReadError(f"{path}: {exc.strerror}") from None
    buffered = io.BufferedReader(raw) if not isinstance(raw, io.BufferedReader) else raw
    if buffered.peek(2)[:2] == b"\x1f\x8b":  # gzip, whatever the name says
        buffered = io.BufferedReader(gzip.GzipFile(fileobj=buffered))
    return io.TextIOWrapper(buffered, encoding="utf-8-sig", newline="")


def detect_format(path: str, stream: io.TextIOBase, requested: str) -> str:
    if requested != "auto":
        return requested
    name = path.lower().removesuffix(".gz")
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return "jsonl"
    if name.endswith(".csv") or path != "-":
        return "csv"
    head = stream.buffer.peek(64).lstrip()  # stdin: JSON Lines start with "{"
    return "jsonl" if head.startswith((b"{", b"\xef\xbb\xbf{")) else "csv"


class Batch:
    """Up to ``size`` rows read in a row: ``rows`` as ``(line, dict | BadLine)`` pairs, and for CSV
    also the cells as read (``header``, ``lines``, ``cells``: one list of strings per line, or its
    BadLine), so a pass over whole columns need not build a dict per row. A CSV chunk of plain lines
    comes as ``columns`` (one list of strings per header column), its ``cells`` made when asked."""

    def __init__(self, *, rows=None, header=None, lines=None, cells=None, columns=None):
        self._rows = rows
        self.header = header
        self.lines = lines
        self._cells = cells
        self.columns = columns

    @property
    def cells(self):
        if self._cells is None and self.columns is not None:
            self._cells = [list(values) for values in zip(*self.columns, strict=True)]
        return self._cells

    def __len__(self):
        if self.columns is not None:
            return len(self.lines)
        return len(self._cells) if self._cells is not None else len(self._rows)

    def __bool__(self):
        return len(self) > 0

    @property
    def rows(self) -> list[tuple[int, dict]]:
        if self._rows is None:
            header = self.header
            self._rows = [
                (line, values if values.__class__ is BadLine else dict(zip(header, values, strict=True)))
                for line, values in zip(self.lines, self.cells, strict=True)
            ]
        return self._rows

    def rows_from(self, start: int) -> list[tuple[int, dict]]:
        """The rows from ``start`` on (dicts built only for those)."""
        if self._rows is not None or start == 0:
            return self.rows[start:]
        return Batch(header=self.header, lines=self.lines[start:], cells=self.cells[start:]).rows


def read_batches(
    path: str,
    *,
    size: int,
    fmt: str = "auto",
    renames: dict[str, str] | None = None,
    adapters: dict[str, Callable] | None = None,
) -> Iterator[Batch]:
    """Batches of one file's rows (see ``Batch``); raises ReadError as ``read_rows`` does."""
    stream = open_text(path)
    try:
        fmt = detect_format(path, stream, fmt)
        with _read_errors(path):
            if fmt == "csv":
                for header, lines, cells, columns in _csv_chunks(path, stream, size):
                    if renames:
                        header = [renames.get(name, name) for name in header]
                    yield Batch(header=header, lines=lines, cells=cells, columns=columns)
                return
            rows = _jsonl_rows(stream) if fmt == "jsonl" else adapters[fmt](stream)
            if renames:
                rows = _renamed(rows, renames)
            while chunk := list(islice(rows, size)):
                yield Batch(rows=chunk)
    finally:
        if path != "-":
            stream.close()


def read_ahead(items: Iterator, *, depth: int = 2) -> Iterator:
    """``items`` produced by a worker thread up to ``depth`` ahead: parsing the next batch (Python)
    overlaps writing this one (SQLite releases the GIL while it inserts). The same items in the
    same order; an exception in the worker is raised here; stopping early stops the worker."""
    return prefetched(items, depth=depth, name="import-read")


def read_rows(
    path: str,
    *,
    fmt: str = "auto",
    renames: dict[str, str] | None = None,
    adapters: dict[str, Callable] | None = None,
) -> Iterator[tuple[int, dict]]:
    """Rows of one file (see the module docstring). Raises ReadError, yields BadLine for bad lines."""
    for batch in read_batches(path, size=10_000, fmt=fmt, renames=renames, adapters=adapters):
        yield from batch.rows


def _renamed(rows, renames):
    for line, row in rows:
        if isinstance(row, BadLine):
            yield line, row
        else:
            yield line, {renames.get(k, k): v for k, v in row.items()}


@contextmanager
def _read_errors(path: str):
    try:
        yield
    except UnicodeDecodeError as exc:
        raise ReadError(f"{display_name(path)}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise ReadError(f"{display_name(path)}: {exc}") from None


def _csv_chunks(path: str, stream: io.TextIOBase, size: int) -> Iterator[tuple[list, list, list, list]]:
    """``(header, lines, cells, columns)`` of up to ``size`` rows at a time (see ``Batch``): either
    ``cells`` from the csv module, or, for a chunk of plain lines, ``columns`` (``_plain_columns``)."""
    header_line = stream.readline()
    if not header_line.strip():
        raise ReadError(f"{display_name(path)}: no header row")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    header = [name.strip() for name in header]
    width = len(header)
    previous_end = 1  # the header's line
    physical = iter(stream)  # the lines as the csv module is handed them
    while True:
        raw = list(islice(physical, size))
        if not raw:
            return
        columns = _plain_columns(raw, delimiter, width)
        if columns is not None:
            lines = list(range(previous_end + 1, previous_end + 1 + len(raw)))
            previous_end = lines[-1]
            yield header, lines, None, columns
            continue
        ends, cells = _parsed(raw, physical, delimiter, previous_end)
        if not cells:
            return
        # A row starts on the line after the previous one ended.
        starts = [previous_end + 1, *[e + 1 for e in ends[:-1]]]
        previous_end = ends[-1]
        lines, kept = starts, cells
        if set(map(len, cells)) != {width}:  # blank lines, rows of another width
            lines, kept = [], []
            for line, values in zip(starts, cells, strict=True):
                if not values or (len(values) == 1 and not values[0].strip()):
                    continue
                lines.append(line)
                kept.append(
                    values
                    if len(values) == width
                    else BadLine(line, f"expected {width} columns (as in the header), found {len(values)}")
                )
        if kept:
            yield header, lines, kept, None


def _plain_columns(raw: list[str], delimiter: str, width: int) -> list[list[str]] | None:
    """The columns of ``raw`` when the csv module would read each of these lines as one row of
    ``width`` cells split at ``delimiter`` and nothing else: no quote character anywhere, no line
    break but the ``\\n`` or ``\\r\\n`` ending each line, ``width - 1`` delimiters on every line
    (so no blank line, no row of another width), no cell over the csv module's size limit.
    None otherwise (the csv module reads them)."""
    if width < 2:
        return None
    text = "".join(raw)
    if '"' in text or max(map(len, raw)) > csv.field_size_limit():
        return None
    if "\r" in text:
        if text.count("\r") != text.count("\r\n"):
            return None
        text = text.replace("\r\n", "\n")
    if text.count("\n") != len(raw) - (0 if text.endswith("\n") else 1):
        return None
    if set(map(methodcaller("count", delimiter), raw)) != {width - 1}:
        return None
    cells = text.removesuffix("\n").replace("\n", delimiter).split(delimiter)
    return [cells[i::width] for i in range(width)]


def _parsed(raw: list[str], physical: Iterator[str], delimiter: str, previous_end: int):
    """The csv module's rows of the lines ``raw``, and of the lines after them a row begun in
    ``raw`` runs on to (a quoted cell over several lines): ``(line each row ends on, cells)``."""
    fed = 0

    def feed():
        nonlocal fed
        for line in raw:
            fed += 1
            yield line
        for line in physical:  # pulled only while a row begun in raw is still open
            fed += 1
            yield line

    reader = csv.reader(feed(), delimiter=delimiter)
    ends, cells = [], []
    for values in reader:
        ends.append(previous_end + reader.line_num)
        cells.append(values)
        if fed >= len(raw):
            break
    return ends, cells


def _jsonl_rows(stream: io.TextIOBase) -> Iterator[tuple[int, dict]]:
    for number, text in enumerate(stream, start=1):
        if not text.strip():
            continue
        try:
            row = json.loads(text)
        except json.JSONDecodeError as exc:
            yield number, BadLine(number, BAD_JSON.format(error=exc.msg))
            continue
        if not isinstance(row, dict):
            yield number, BadLine(number, NOT_AN_OBJECT)
            continue
        yield number, row


def report_path(path: str, suffix: str, fallback_dir: Path) -> Path:
    """Where a report about ``path`` goes: beside it, else (stdin, read-only folder) under fallback_dir."""
    if path != "-":
        beside = Path(path).with_name(Path(path).name + suffix)
        try:
            with open(beside, "a"):
                pass
            return beside
        except OSError:
            pass
    fallback_dir.mkdir(parents=True, exist_ok=True)
    name = "stdin" if path == "-" else Path(path).name
    return fallback_dir / f"{name}{suffix}"
