"""CSV chunks of plain lines are split a column at a time; the rows, their line numbers and the bad
lines are exactly what the csv module alone reads, whatever mix of plain and other lines a file has."""

import csv
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from imports import reading

CASES = [
    "a,b,c\n1,2,3\n4,5,6\n",
    "a,b,c\r\n1,2,3\r\n4,5,6\r\n",
    "a,b,c\n1,2,3\n4,5,6",  # no line break at the end
    "a;b;c\n1;2,5;3\n",
    "a,b,c\n1,2,3\n\n4,5,6\n   \n7,8,9\n",  # blank lines
    "a,b,c\n1,2\n1,2,3,4\n5,6,7\n",  # rows of another width
    'a,b,c\n1,"two, and\nthree",3\n4,5,6\n7,8,9\n',  # a quoted cell over two lines
    'a,b,c\n1,2,3\n4,"5\n\n5",6\n7,8,9\n10,11,12\n',
    "a,b,c\n1,2\r3,4\n5,6,7\n",  # a bare carriage return
    "a,b,c\n1, 2 ,3 \n\x00,,\n",
    '\ufeffa,b,c\n1,2,3\n"4",5,6\n',
]


def read(text: str, *, size: int, plain: bool = True) -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.csv"
        path.write_bytes(text.encode("utf-8"))
        if not plain:
            return csv_module_alone(str(path))
        return [
            (line, row.message if isinstance(row, reading.BadLine) else row)
            for batch in reading.read_batches(str(path), size=size, fmt="csv")
            for line, row in batch.rows
        ]


def csv_module_alone(path: str) -> list:
    """One csv.reader over the whole file: each row with the line it starts on, blank lines left
    out, rows of another width as bad lines (as the import read CSV before the plain chunks)."""
    stream = reading.open_text(path)
    header_line = stream.readline()
    delimiter = ";" if header_line.count(";") > header_line.count(",") else ","
    header = [name.strip() for name in next(csv.reader([header_line], delimiter=delimiter))]
    reader = csv.reader(stream, delimiter=delimiter)
    rows, previous_end = [], 1
    for values in reader:
        line, previous_end = previous_end + 1, reader.line_num + 1
        if not values or (len(values) == 1 and not values[0].strip()):
            continue
        if len(values) != len(header):
            rows.append((line, f"expected {len(header)} columns (as in the header), found {len(values)}"))
        else:
            rows.append((line, dict(zip(header, values, strict=True))))
    stream.close()
    return rows


@pytest.mark.parametrize("size", [1, 2, 3, 1000])
@pytest.mark.parametrize("text", CASES)
def test_plain_chunks_read_as_the_csv_module_does(text, size):
    assert read(text, size=size) == read(text, size=size, plain=False)


def test_a_file_of_plain_lines_is_read_a_column_at_a_time():
    path = Path(tempfile.mkdtemp()) / "f.csv"
    path.write_text("a,b\n1,2\n3,4\n")
    (batch,) = reading.read_batches(str(path), size=10, fmt="csv")
    assert batch.columns == [["1", "3"], ["2", "4"]] and batch.lines == [2, 3]
    assert batch.cells == [["1", "2"], ["3", "4"]]


@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    st.text(alphabet='ab,;" \n\r\x00', max_size=80),
    st.sampled_from(["a,b,c\n", "a;b\r\n", "a,b\n"]),
    st.integers(min_value=1, max_value=4),
)
def test_generated_files_read_as_the_csv_module_does(body, header, size):
    text = header + body
    try:
        expected = read(text, size=size, plain=False)
    except Exception as exc:  # the csv module refuses the file: so must the plain reading
        with pytest.raises(type(exc)):
            read(text, size=size)
        return
    assert read(text, size=size) == expected
