"""Writing a batch's good rows: creates, updates, related records, indexes, foreign keys."""

import time

from django.db import IntegrityError

from accounts.models import Customer
from catalog.models import Product

from ..cells import EMPTY
from .helpers import _prepare_column, insert_columns
from .kinds import LOOKUP_CHUNK


class Writing:
    """ImportRun's writing half (see ``run.ImportRun``)."""

    def _write(self, rows, *, apply: bool):
        if self.kind_name in ("sales", "feedback"):
            self._create_related(apply=apply)
        creates, updates, changed_fields = [], [], set()
        for _line, _raw, values in rows:
            folded = values.get(self.kind.key)
            if isinstance(folded, str) and self.kind.key == "email":
                folded = folded.lower()
            stored = self.existing.get(folded) if folded not in (None, EMPTY) else None
            if stored is None:
                creates.append(self._new_values(values))
                continue
            changes = self._changes(values, stored)
            if not changes:
                self.counts.unchanged += 1
                continue
            # Every field bulk_update sets must carry its value: the stored ones, then the changes.
            instance = self.model(
                **{**{k: v for k, v in stored.items() if k != "pk"}, **changes}, pk=stored["pk"]
            )
            updates.append(instance)
            changed_fields.update(changes)
        self.counts.created += len(creates)
        if not apply:
            self.counts.updated += len(updates)
            return
        self.full_path_wrote = self.full_path_wrote or bool(creates or updates)
        self._insert(creates)
        if updates:
            self.model._base_manager.using(self.using).bulk_update(
                updates,
                sorted(changed_fields),
                batch_size=500,
            )
            self.counts.updated += len(updates)

    def _new_values(self, values) -> dict:
        out = {}
        for column in self.kind.columns:
            value = values.get(column)
            if value is None or value is EMPTY:
                value = self.kind.defaults.get(column, value)
            out[column] = value
        if self.kind_name == "customers" and out["joined_at"] in (None, EMPTY):
            out["joined_at"] = self.now  # no orders yet: joined now, as the service stamps it
        if self.kind_name == "products" and out["created_at"] in (None, EMPTY):
            out["created_at"] = self.now
        if "customer" in values:
            out["customer_id"], out["product_id"] = values["customer"][0], values["product"][0]
        return out

    def _changes(self, values, stored) -> dict:
        changes = {}
        for column in self.kind.columns:
            if column not in values or values[column] is None:
                continue  # not in the file: kept
            value = values[column]
            if value is EMPTY:
                if column not in self.kind.nullable_or_blank:
                    continue  # an empty cell keeps what is stored (city, joined_at…)
                value = self.kind.nullable_or_blank[column]
            if stored[column] != value:
                changes[column] = value
        if "customer" in values:
            for name, ref in (("customer_id", values["customer"]), ("product_id", values["product"])):
                if stored[name] != ref[0]:
                    changes[name] = ref[0]
        return changes

    def _create_related(self, *, apply: bool):
        """Customers and products first named by this batch, created before its rows."""
        for mapping, new, model, counter, date_field, date_at in (
            (self.customers, self.new_customers, Customer, "customers", "joined_at", 1),
            (self.products, self.new_products, Product, "products", "created_at", 2),
        ):
            pending = list(new.items())
            new.clear()  # created below; only their keys and dates are kept (self.created)
            if not pending:
                continue
            self.counts.related_created[counter] += len(pending)
            if not apply:
                for key, _values in pending:
                    mapping[key][0] = f"new:{key}"  # stands for the key in a dry run
                continue
            for key, values in pending:
                values[date_field] = mapping[key][date_at]  # the earliest order of the batch
            if self.fast_insert:
                # Keys given up front, after the highest the table has used (inside this run's
                # transaction, which holds SQLite's write lock), so nothing is read back.
                base = self._next_pk(model)
                pks = range(base, base + len(pending))
                pk_name = model._meta.pk.attname
                defaults = {
                    f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key
                }
                # A column at a time (no dict per record): the record's value, else the default.
                given = pending[0][1].keys()
                names = [pk_name, *defaults, *(name for name in given if name not in defaults)]
                records = [values for _key, values in pending]
                if all(v.keys() == given for v in records):
                    columns = [
                        [v[name] for v in records] if name in given else [defaults[name]] * len(records)
                        for name in names[1:]
                    ]
                else:  # not all of one shape: each record's own fields
                    columns = [[v[name] if name in v else defaults[name] for v in records] for name in names[1:]]
                columns.insert(0, list(pks))
                self._insert_columns(model, names, columns)
            else:
                objs = [model(**values) for _key, values in pending]
                model._base_manager.using(self.using).bulk_create(objs, batch_size=500)
                pks = [obj.pk for obj in objs]
            created = self.created[model]
            for pk, (key, values) in zip(pks, pending, strict=True):
                mapping[key][0] = pk
                created[key] = (pk, values[date_field])

    def written_tables(self) -> list[str]:
        """The tables this run may have written (for the foreign key check before the commit)."""
        models = [self.model, Customer, Product] if self.kind_name in ("sales", "feedback") else [self.model]
        return [model._meta.db_table for model in models]

    def check_foreign_keys(self) -> None:
        """SQLite, before the commit: the foreign keys of what this run wrote (not checked row by
        row). Rows of the full path: PRAGMA foreign_key_check over the written tables; rows of the
        fast pass: each distinct key they refer to, looked up once (a million sales name a hundred
        thousand customers), which is the same check for rows this run added."""
        if self.full_path_wrote:
            self.connection.check_constraints(table_names=self.written_tables())
            return
        for model, pks in self.fast_references.items():
            pks = sorted(pks)
            manager = model._base_manager.using(self.using)
            for start in range(0, len(pks), LOOKUP_CHUNK):
                chunk = pks[start : start + LOOKUP_CHUNK]
                found = set(manager.filter(pk__in=chunk).values_list("pk", flat=True))
                if len(found) != len(chunk):
                    missing = next(pk for pk in chunk if pk not in found)
                    raise IntegrityError(
                        f"A row written to {self.model._meta.db_table} refers to "
                        f"{model._meta.db_table} {missing}, which does not exist."
                    )

    def finish(self):
        """Move the join / creation dates of the customers and products this run created back to
        their first order when a later batch carried an earlier one."""
        if not self.write:
            return
        started = time.perf_counter()
        self.restore_indexes()
        started = self.spent("indexes", started)
        for mapping, model, attr, index in (
            (self.customers, Customer, "joined_at", 1),
            (self.products, Product, "created_at", 2),
        ):
            moved = [
                model(pk=pk, **{attr: mapping[key][index]})
                for key, (pk, stored) in self.created[model].items()
                if mapping[key][index] < stored
            ]
            if moved:
                model._base_manager.using(self.using).bulk_update(moved, [attr], batch_size=500)
        if self.moved_joins:
            moved = [Customer(pk=pk, joined_at=joined) for pk, joined in self.moved_joins.items()]
            Customer._base_manager.using(self.using).bulk_update(moved, ["joined_at"], batch_size=500)
            self.counts.joins_moved = len(moved)
        self.spent("write", started)

    def _insert(self, rows: list[dict]) -> None:
        if not rows:
            return
        if not self.fast_insert:
            manager = self.model._base_manager.using(self.using)
            manager.bulk_create([self.model(**values) for values in rows], batch_size=1000)
            return
        self._insert_rows(self.model, rows)

    def _next_pk(self, model) -> int:
        table = model._meta.db_table
        with self.connection.cursor() as cursor:
            cursor.execute(
                f"SELECT COALESCE(MAX({self.connection.ops.quote_name(model._meta.pk.column)}), 0) "
                f"FROM {self.connection.ops.quote_name(table)}"
            )
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
        return max(highest, row[0] if row else 0) + 1

    def drop_indexes(self) -> None:
        """SQLite, a first load into an empty table: drop its secondary indexes while the rows go in and
        build them once at the end (``restore_indexes``), one sort each instead of a million B-tree
        inserts, as seed_data does. In the run's transaction, so a failure rolls them back too."""
        if not self.fast_insert or self.any_rows or self.dropped_indexes:
            return
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                "AND sql IS NOT NULL",
                [self.model._meta.db_table],
            )
            self.dropped_indexes = cursor.fetchall()
            for name, _sql in self.dropped_indexes:
                cursor.execute(f"DROP INDEX {self.connection.ops.quote_name(name)}")

    def restore_indexes(self) -> None:
        with self.connection.cursor() as cursor:
            for _name, sql in self.dropped_indexes:
                cursor.execute(sql)  # a unique one refuses duplicates here, failing the whole run
        self.dropped_indexes = []

    def _insert_rows(self, model, rows: list[dict]) -> None:
        """SQLite: ``rows`` (dicts of the same fields) written by ``_insert_columns``."""
        names = list(rows[0])
        self._insert_columns(model, names, [[row[name] for row in rows] for name in names])

    def _insert_columns(self, model, names: list[str], columns: list[list]) -> None:
        """SQLite: values prepared as Django's INSERT prepares them (``_prepare_column``), many rows
        per statement (``insert_columns``)."""
        fields = [model._meta.get_field(name) for name in names]
        connection = self.connection
        columns = [_prepare_column(f, values, connection) for f, values in zip(fields, columns, strict=True)]
        insert_columns(connection, model._meta.db_table, [f.column for f in fields], columns)
