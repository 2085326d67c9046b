"""Write generated batches: ``executemany`` on SQLite, ``bulk_create`` on other backends.

Both take table and column names from the models' ``_meta`` and values from ``encode``.
``encode`` is pure (it may run in the generating thread); ``table`` writes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import models

from .encode import python_values, sqlite_values

# One insertMany per batch, outside any transaction (seeding.generate.guard): 5,000 documents of a few
# hundred bytes (a sale is about 250 B in BSON) is 1–2 MB, far below the 16 MB document and 48 MB
# message limits and the 16 MB a transaction's oplog entry could hold, and few enough round trips.
ORM_BATCH = 5_000


@dataclass(frozen=True)
class SqlRows:
    sql: str
    columns: list[list]

    def __len__(self) -> int:
        return len(self.columns[0])


class SqliteWriter:
    """Fast path: one ``INSERT`` per table run with ``executemany`` on Django's connection.

    A table's secondary indexes are dropped while its rows go in and recreated after (one
    sort per index instead of a million random B-tree inserts). It happens inside the seed's
    transaction, so a failure rolls the indexes back with everything else.
    """

    def __init__(self, connection):
        self.connection = connection
        self.ops = connection.ops

    def encode(self, model: type[models.Model], batch: dict) -> SqlRows:
        quote = self.ops.quote_name
        fields = [model._meta.get_field(name) for name in batch]
        return SqlRows(
            sql=f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})",
            columns=[
                sqlite_values(field, values, self.ops)
                for field, values in zip(fields, batch.values(), strict=True)
            ],
        )

    @contextmanager
    def table(self, model: type[models.Model]) -> Iterator:
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [model._meta.db_table],
            )
            indexes = cursor.fetchall()
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {self.ops.quote_name(name)}")

            def insert(rows: SqlRows) -> int:
                cursor.executemany(rows.sql, zip(*rows.columns, strict=True))
                return len(rows)

            yield insert
            for _name, sql in indexes:
                cursor.execute(sql)


class OrmWriter:
    """Any backend (MongoDB): ``bulk_create`` in batches with keys assigned up front.

    On MongoDB the keys are ObjectIds built from the row numbers (``encode.object_id``), so
    foreign keys are known without reading anything back and reruns give the same ids.
    """

    def __init__(self, *, using: str, key_time: int):
        self.using = using
        self.key_time = key_time

    def encode(self, model: type[models.Model], batch: dict) -> list[models.Model]:
        fields = [model._meta.get_field(name) for name in batch]
        columns = [
            python_values(field, values, key_time=self.key_time)
            for field, values in zip(fields, batch.values(), strict=True)
        ]
        attnames = [field.attname for field in fields]
        return [model(**dict(zip(attnames, row, strict=True))) for row in zip(*columns, strict=True)]

    @contextmanager
    def table(self, model: type[models.Model]) -> Iterator:
        def insert(objects: list[models.Model]) -> int:
            for start in range(0, len(objects), ORM_BATCH):
                model._base_manager.using(self.using).bulk_create(objects[start:start + ORM_BATCH])
            return len(objects)

        yield insert
