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
from pathlib import Path

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


def read_rows(
    path: str,
    *,
    fmt: str = "auto",
    renames: dict[str, str] | None = None,
    adapters: dict[str, Callable] | None = None,
) -> Iterator[tuple[int, dict]]:
    """Rows of one file (see the module docstring). Raises ReadError, yields BadLine for bad lines."""
    stream = open_text(path)
    try:
        fmt = detect_format(path, stream, fmt)
        if fmt == "csv":
            rows = _csv_rows(path, stream)
        elif fmt == "jsonl":
            rows = _jsonl_rows(stream)
        else:
            rows = adapters[fmt](stream)
        try:
            if renames:
                for line, row in rows:
                    if isinstance(row, BadLine):
                        yield line, row
                    else:
                        yield line, {renames.get(k, k): v for k, v in row.items()}
            else:
                yield from rows
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"{display_name(path)}: not UTF-8 text ({exc.reason} at byte {exc.start})"
            ) from None
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            raise ReadError(f"{display_name(path)}: {exc}") from None
    finally:
        if path != "-":
            stream.close()


def _csv_rows(path: str, stream: io.TextIOBase) -> Iterator[tuple[int, dict]]:
    header_line = stream.readline()
    if not header_line.strip():
        raise ReadError(f"{display_name(path)}: no header row")
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = next(csv.reader([header_line], delimiter=delimiter))
    header = [name.strip() for name in header]
    reader = csv.reader(stream, delimiter=delimiter)
    width = len(header)
    reader_line = 1
    for values in reader:
        line = reader_line + 1  # the row starts on the line after the previous row ended
        reader_line = reader.line_num + 1
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != width:
            yield line, BadLine(line, f"expected {width} columns (as in the header), found {len(values)}")
            continue
        yield line, dict(zip(header, values, strict=False))  # widths checked above


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
