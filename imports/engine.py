"""The import run: rows checked in batches, then written in bulk inside one transaction.

One ``ImportRun`` per command: it reads every file of one kind, checks each batch of rows (cell by
cell with the model fields' own validation, see ``cells``, then across the row and against the
database: references, join dates, totals, duplicates), and writes the good rows of the batch
(``bulk_create`` / ``bulk_update``; on SQLite inserts go through one ``executemany`` per batch).
The caller wraps it in ``core.db.atomic`` and rolls back when a row was bad (unless skipping
them) or on a dry run, so a run writes everything or nothing.

Natural keys: customers by email (case-insensitive; stored in lower case), products by sku,
sales and feedback by ``external_id`` (rows without one are always added). A row whose key
exists updates only the columns the file has, and only when a value differs, so importing a
file twice changes nothing.

New sales (no keyed sales in the table yet) first take ``FastSales``: a pass over the batch a
column at a time that accepts the rows every check plainly passes and stops at the first it
cannot decide; that row and the rest of the batch take the full checks, so messages and outcomes
are the same as without it.
"""

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from operator import attrgetter

from django.core.validators import DecimalValidator, MinValueValidator
from django.db import IntegrityError, connections
from django.utils import timezone

from accounts.models import Customer
from accounts.services import normalize_email
from catalog.models import Product
from core.dates import earliest_datetime, latest_datetime
from feedback.models import FEEDBACK_BEFORE_JOIN, Feedback
from sales.models import DISCOUNT_TOO_LARGE, SALE_BEFORE_JOIN, Sale

from .cells import EMPTY, MEMO_LIMIT, Cleaner, Invalid, is_empty
from .reading import Batch

BATCH = 20_000
LOOKUP_CHUNK = 900  # keys per ``__in`` query (SQLite's variable limit)
UNKNOWN = "Unknown"
UNCATEGORISED = "Uncategorised"
REQUIRED = "This field is required."
DUPLICATE = "Also on line {line} of this import; each {key} may appear once."
NO_CUSTOMER = "No customer with this email (add a customer_name column to create customers)."
NO_PRODUCT = "No product with this SKU (add a product_name column to create products)."
NO_PRICE = "Give unit_price (the product is new, so there is no price to default to)."
TOTAL_ABOVE_GROSS = "Total cannot exceed quantity × unit price ({gross})."
TOTAL_MISMATCH = "Total must be quantity × unit price − discount ({expected})."
JOIN_HINT = (
    " If the customer was imported without a join date, --join-at-first-order moves it back to"
    " their first order."
)
JOINED_AFTER = (
    "The customer has a sale or feedback dated {first:%Y-%m-%d %H:%M}; the join date cannot be later."
)
CENT = Decimal("0.01")
# Columns an API export carries that an import ignores (ids are not portable between databases).
EXPORT_ONLY = {"id", "url", "product", "customer", "customer_name", "product_name", "category"}


@dataclass
class RowError:
    file: str
    line: int
    field: str
    message: str
    raw: dict | None = None

    def __str__(self):
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    related_created: dict = field(default_factory=lambda: {"customers": 0, "products": 0})
    joins_moved: int = 0


def _fields(model, names):
    return {name: model._meta.get_field(name) for name in names}


class Kind:
    """What one kind of record needs: its model, key, columns and defaults."""

    model: type
    key: str  # the natural key column
    columns: tuple[str, ...]  # model field names a file may give
    extra: tuple[str, ...] = ()  # columns used but not stored as such (customer_email, ...)
    signal_name: str

    def __init__(self, tz):
        self.cleaners = {
            name: Cleaner(f, timezone=tz) for name, f in _fields(self.model, self.columns).items()
        }


class CustomersKind(Kind):
    model = Customer
    key = "email"
    columns = ("name", "email", "address", "city", "country", "latitude", "longitude", "joined_at")
    signal_name = "customers"
    defaults = {"address": "", "city": UNKNOWN, "country": UNKNOWN, "latitude": None, "longitude": None}
    # Empty cells that mean "no value" (stored as such) rather than "use the default / keep".
    nullable_or_blank = {"address": "", "latitude": None, "longitude": None}


class ProductsKind(Kind):
    model = Product
    key = "sku"
    columns = (
        "sku",
        "name",
        "description",
        "category",
        "brand",
        "price",
        "attributes",
        "active",
        "created_at",
    )
    signal_name = "products"
    defaults = {"description": "", "category": UNCATEGORISED, "brand": "", "attributes": {}, "active": True}
    nullable_or_blank = {"description": "", "brand": "", "attributes": {}}


class SalesKind(Kind):
    model = Sale
    key = "external_id"
    columns = ("quantity", "unit_price", "discount", "total", "sold_at", "channel", "status", "external_id")
    extra = ("customer_email", "product_sku")
    signal_name = "sales"
    date_field = "sold_at"
    defaults = {"channel": Sale.Channel.WEB, "status": Sale.Status.COMPLETED, "external_id": ""}
    nullable_or_blank = {"external_id": ""}
    before_join = SALE_BEFORE_JOIN


class FeedbackKind(Kind):
    model = Feedback
    key = "external_id"
    columns = ("rating", "comment", "created_at", "external_id")
    extra = ("customer_email", "product_sku")
    signal_name = "feedback"
    date_field = "created_at"
    defaults = {"comment": "", "external_id": ""}
    nullable_or_blank = {"comment": "", "external_id": ""}
    before_join = FEEDBACK_BEFORE_JOIN


KINDS = {"customers": CustomersKind, "products": ProductsKind, "sales": SalesKind, "feedback": FeedbackKind}


class ImportRun:
    def __init__(self, kind: str, *, tz: dt.tzinfo = dt.UTC, write: bool = True, using: str = "default"):
        self.kind = KINDS[kind](tz)
        self.kind_name = kind
        self.model = self.kind.model
        self.using = using
        self.write = write  # switched off at the first bad row unless skipping bad rows
        self.counts = Counts()
        # Wall seconds per phase (check, write, indexes, ...), for ``import_data -v 2`` and the bench.
        self.phases: dict[str, float] = {}
        self.errors: list[RowError] = []
        self.seen_keys: dict[str, int] = {}  # natural key → line (duplicates in one run are refused)
        self.now = timezone.now()
        self.customer_cleaners = _cleaners(Customer, ("email", "name"), tz)
        self.product_cleaners = _cleaners(Product, ("sku", "name", "category", "price"), tz)
        # Referenced records: email → [pk, joined_at, new?]; sku → [pk, price, created_at, new?].
        self.customers: dict[str, list] = {}
        self.products: dict[str, list] = {}
        # Records first named by this batch: key → their field values (instances cost more to make).
        self.new_customers: dict[str, dict] = {}
        self.new_products: dict[str, dict] = {}
        self.created: dict = {Customer: {}, Product: {}}  # key → (pk, date as inserted)
        self.email_keys: dict = {}  # customer_email cell → the checked, lower-cased email
        self.recordless: dict = {}  # customer pk → had no sales or feedback before this run
        self.moved_joins: dict = {}  # customer pk → the earlier join date their first order gives
        self.any_keyed = self.model._base_manager.using(using).exclude(**{self.kind.key: ""}).exists()
        self.any_rows = self.any_keyed or self.model._base_manager.using(using).exists()
        # With no customers (products) at the start, every one not yet seen is new: no lookups.
        self.customers_at_start = Customer._base_manager.using(using).exists()
        self.products_at_start = Product._base_manager.using(using).exists()
        self.dropped_indexes: list[tuple[str, str]] = []
        # For the foreign key check before the commit (``check_foreign_keys``): the keys the fast
        # pass's rows refer to, and whether the full path wrote rows of this kind too.
        self.fast_references: dict = {Customer: set(), Product: set()}
        self.full_path_wrote = False
        self.unknown_columns: set[str] = set()
        self.connection = connections[using]
        self.fast_insert = self.connection.vendor == "sqlite"
        self.fast_sales = FastSales(self) if kind == "sales" and not self.any_keyed else None
        if self.fast_sales is not None and not self.fast_sales.usable:
            self.fast_sales = None

    def _fast_sales(self, batch, whole) -> int:
        """The rows a pass of plain checks accepts, from the start of the batch, written at once;
        the number of rows done (the rest, from the first row it cannot decide, takes the full
        path). See ``FastSales``."""
        fast = self.fast_sales
        if self.join_at_first_order:
            return 0
        if self.customers_at_start or self.products_at_start:
            if batch.columns is not None:
                at = {name: i for i, name in enumerate(batch.header)}
                emails = set(batch.columns[at["customer_email"]]) if "customer_email" in at else set()
                skus = set(batch.columns[at["product_sku"]]) if "product_sku" in at else set()
            elif batch.cells is not None:
                at = {name: i for i, name in enumerate(batch.header)}
                rows = [values for values in batch.cells if values.__class__ is list]
                emails = {v[at["customer_email"]] for v in rows} if "customer_email" in at else set()
                skus = {v[at["product_sku"]] for v in rows} if "product_sku" in at else set()
            else:
                rows = [raw for _line, raw in batch.rows if isinstance(raw, dict)]
                emails = {raw.get("customer_email") for raw in rows}
                skus = {raw.get("product_sku") for raw in rows}
            emails = {_text(e).lower() for e in emails}
            skus = {_text(s) for s in skus}
            if self.customers_at_start:
                self._load_customers([e for e in emails if e and e not in self.customers])
            if self.products_at_start:
                self._load_products([s for s in skus if s and s not in self.products])
        started = time.perf_counter()
        done, accepted = fast.check(batch)
        started = self.spent("check", started)
        if not accepted:
            return done
        apply = self.write
        if apply and whole >= BATCH:
            self.drop_indexes()
        self._create_related(apply=apply)
        self.counts.created += len(accepted)
        if apply:
            fast.insert(accepted)
        self.spent("write", started)
        return done

    def spent(self, phase: str, since: float) -> float:
        """Add the time since ``since`` to ``phase``; returns now."""
        now = time.perf_counter()
        self.phases[phase] = self.phases.get(phase, 0.0) + now - since
        return now

    # --- checking ------------------------------------------------------------------------------

    def fail(self, file, line, column, message, raw):
        self.errors.append(RowError(file, line, column, message, raw))

    def add_batch(self, file: str, batch: Batch) -> None:
        """Check a batch of rows (``reading.Batch``) and write its good rows (when writing)."""
        window = (earliest_datetime(), latest_datetime())
        for cleaner in (
            *self.kind.cleaners.values(),
            *self.customer_cleaners.values(),
            *self.product_cleaners.values(),
        ):
            if cleaner.fast is not None and cleaner.field.get_internal_type() == "DateTimeField":
                cleaner.start_batch(*window)
        rows = []
        whole = len(batch)
        done = self._fast_sales(batch, whole) if self.fast_sales is not None else 0
        if done == whole:
            return
        started = time.perf_counter()
        for line, raw in batch.rows_from(done):
            if not isinstance(raw, dict):  # a line that could not be parsed (reading.BadLine)
                self.fail(file, line, "line", raw.message, None)
                self.counts.rejected += 1
                continue
            values = self._clean_cells(file, line, raw)
            if values is not None:
                rows.append((line, raw, values))
        if self.kind_name in ("sales", "feedback"):
            rows = self._resolve_references(file, rows)
        rows = self._check_keys(file, rows)
        if self.errors and not self.skip_invalid:
            self.write = False
        started = self.spent("check", started)
        if rows:
            if self.write and whole >= BATCH:
                self.drop_indexes()  # a large first load (see drop_indexes)
            self._write(rows, apply=self.write)  # counted also on a dry run
            self.spent("write", started)

    skip_invalid = False
    join_at_first_order = False

    def _clean_cells(self, file, line, raw) -> dict | None:
        """Field values of the columns the row has (EMPTY for empty cells), or None when one is bad.
        Columns the file does not have are left out (None from ``values.get``)."""
        values, bad = {}, False
        for column, cleaner in self.kind.cleaners.items():
            cell = raw.get(column, EMPTY)
            if cell is EMPTY:
                continue
            if cell is None or (cell.__class__ is str and (not cell or cell.isspace())):
                values[column] = EMPTY
                continue
            # The memo first (inline: this loop runs once per cell), then the cleaner.
            value = cleaner.memo.get(cell, EMPTY) if cell.__class__ is str else EMPTY
            if value is EMPTY:
                value = cleaner(cell)
            if value.__class__ is Invalid:
                self.fail(file, line, column, value.message, raw)
                bad = True
            else:
                values[column] = value
        if self.kind_name == "customers" and isinstance(values.get("email"), str):
            values["email"] = normalize_email(values["email"])
        if bad:
            self.counts.rejected += 1
            return None
        return values

    def _check_keys(self, file, rows):
        """Duplicates inside the run; the existing record (pk and stored values) of each key."""
        key = self.kind.key
        kept, keys = [], []
        for line, raw, values in rows:
            value = values.get(key)
            if value is EMPTY or value is None:
                if key in ("email", "sku"):
                    self.fail(file, line, key, REQUIRED, raw)
                    self.counts.rejected += 1
                    continue
                kept.append((line, raw, values))
                continue
            folded = value.lower() if key == "email" else value
            first = self.seen_keys.get(folded)
            if first is not None:
                self.fail(file, line, key, DUPLICATE.format(line=first, key=key), raw)
                self.counts.rejected += 1
                continue
            self.seen_keys[folded] = line
            kept.append((line, raw, values))
            keys.append(folded)
        self.existing = self._stored(key, keys) if self.any_keyed or key in ("email", "sku") else {}
        if self.kind_name == "customers":
            kept = self._check_join_dates(file, kept)
        return kept

    def _stored(self, key, keys) -> dict:
        if not keys:
            return {}
        names = ["pk", key, *[c for c in self.kind.columns if c != key]]
        if self.kind_name in ("sales", "feedback"):
            names += ["customer_id", "product_id"]
        found = {}
        manager = self.model._base_manager.using(self.using)
        for start in range(0, len(keys), LOOKUP_CHUNK):
            for row in manager.filter(**{f"{key}__in": keys[start : start + LOOKUP_CHUNK]}).values(*names):
                found[row[key].lower() if key == "email" else row[key]] = row
        return found

    def _check_join_dates(self, file, rows):
        """A customer's join date may not move after their first sale or feedback."""
        later = {}
        for line, raw, values in rows:
            stored = self.existing.get(values["email"])
            joined = values.get("joined_at")
            if stored and joined not in (None, EMPTY) and joined > stored["joined_at"]:
                later[stored["pk"]] = (line, raw, joined)
        if not later:
            return rows
        bad = set()
        for model, date_field in ((Sale, "sold_at"), (Feedback, "created_at")):
            for pk, first in _first_dates(model, date_field, list(later), self.using).items():
                line, raw, joined = later[pk]
                if first < joined and line not in bad:
                    self.fail(file, line, "joined_at", JOINED_AFTER.format(first=first), raw)
                    self.counts.rejected += 1
                    bad.add(line)
        return [row for row in rows if row[0] not in bad]

    def _resolve_references(self, file, rows):
        """Sales and feedback: customer_email and product_sku to records, existing or created in this run."""
        emails, skus = set(), set()
        for _line, raw, _values in rows:
            emails.add(_text(raw.get("customer_email")).lower())
            skus.add(_text(raw.get("product_sku")))
        if self.customers_at_start:
            self._load_customers([e for e in emails if e and e not in self.customers])
        if self.products_at_start:
            self._load_products([s for s in skus if s and s not in self.products])
        kept = []
        date_field = self.kind.date_field
        for line, raw, values in rows:
            bad = False
            moment = values.get(date_field)
            if moment in (None, EMPTY):
                self.fail(file, line, date_field, REQUIRED, raw)
                bad = True
            new_before = len(self.new_customers), len(self.new_products)
            customer = self._customer_for(file, line, raw, moment)
            product = self._product_for(file, line, raw, values, moment)
            bad = bad or customer is None or product is None
            if (
                not bad
                and not customer[2]
                and moment < customer[1]
                and not self._join_earlier(customer, moment)
            ):
                message = self.kind.before_join.format(joined=customer[1])
                self.fail(
                    file, line, date_field, message + ("" if self.join_at_first_order else JOIN_HINT), raw
                )
                bad = True
            if not bad and self.kind_name == "sales":
                bad = not self._settle_total(file, line, raw, values, product)
            if bad:
                self._forget_new(new_before)  # a bad row creates no customer or product
                self.counts.rejected += 1
                continue
            values["customer"], values["product"] = customer, product
            kept.append((line, raw, values))
        return kept

    def _forget_new(self, before: tuple[int, int]) -> None:
        for new, mapping, count in ((self.new_customers, self.customers, before[0]),
                                    (self.new_products, self.products, before[1])):
            while len(new) > count:
                key, _obj = new.popitem()  # the last ones added: this row's
                mapping.pop(key, None)

    latest_created = None  # the latest date given to a customer or product this run creates

    def created_until(self, moment) -> None:
        if self.latest_created is None or moment > self.latest_created:
            self.latest_created = moment

    def _join_earlier(self, customer, moment) -> bool:
        """A customer with no sales or feedback before this run joins with their first order: a
        customers file without join dates (stamped when imported) followed by their orders."""
        pk = customer[0]
        if not self.join_at_first_order:
            return False
        if pk not in self.recordless:
            self.recordless[pk] = not any(
                _first_dates(model, date_field, [pk], self.using)
                for model, date_field in ((Sale, "sold_at"), (Feedback, "created_at"))
            )
        if not self.recordless[pk]:
            return False
        customer[1] = moment
        self.moved_joins[pk] = moment
        return True

    def _load_customers(self, emails):
        manager = Customer._base_manager.using(self.using)
        for start in range(0, len(emails), LOOKUP_CHUNK):
            chunk = emails[start : start + LOOKUP_CHUNK]
            for pk, email, joined in manager.filter(email__in=chunk).values_list("pk", "email", "joined_at"):
                self.customers[email.lower()] = [pk, joined, False]

    def _load_products(self, skus):
        manager = Product._base_manager.using(self.using)
        for start in range(0, len(skus), LOOKUP_CHUNK):
            chunk = skus[start : start + LOOKUP_CHUNK]
            for pk, sku, price, created in manager.filter(sku__in=chunk).values_list(
                "pk", "sku", "price", "created_at"
            ):
                self.products[sku] = [pk, price, created, False]

    def _customer_for(self, file, line, raw, moment):
        email_raw = raw.get("customer_email")
        if is_empty(email_raw):
            self.fail(file, line, "customer_email", REQUIRED, raw)
            return None
        email = self.email_keys.get(email_raw)
        if email is None:
            email = self.customer_cleaners["email"](email_raw)
            if isinstance(email, Invalid):
                self.fail(file, line, "customer_email", email.message, raw)
                return None
            email = normalize_email(email)
            if len(self.email_keys) < 1_000_000:
                self.email_keys[email_raw] = email
        known = self.customers.get(email)
        if known is not None:
            if known[2] and moment not in (None, EMPTY) and moment < known[1]:
                known[1] = moment  # a new customer joins with their first order
            return known
        name_raw = raw.get("customer_name")
        if is_empty(name_raw):
            self.fail(file, line, "customer_email", NO_CUSTOMER, raw)
            return None
        name = self.customer_cleaners["name"](name_raw)
        if isinstance(name, Invalid):
            self.fail(file, line, "customer_name", name.message, raw)
            return None
        if moment in (None, EMPTY):
            return None
        known = self.customers[email] = [None, moment, True]
        self.created_until(moment)
        self.new_customers[email] = dict(
            name=name,
            email=email,
            address="",
            city=UNKNOWN,
            country=UNKNOWN,
            joined_at=moment,
        )
        return known

    def _product_for(self, file, line, raw, values, moment):
        sku_raw = raw.get("product_sku")
        if is_empty(sku_raw):
            self.fail(file, line, "product_sku", REQUIRED, raw)
            return None
        sku = self.product_cleaners["sku"](sku_raw)
        if isinstance(sku, Invalid):
            self.fail(file, line, "product_sku", sku.message, raw)
            return None
        known = self.products.get(sku)
        if known is not None:
            if known[3] and moment not in (None, EMPTY) and moment < known[2]:
                known[2] = moment
            return known
        name_raw = raw.get("product_name")
        if is_empty(name_raw):
            self.fail(file, line, "product_sku", NO_PRODUCT, raw)
            return None
        checked = {}
        for column, source, default in (
            ("name", "product_name", None),
            ("category", "category", UNCATEGORISED),
            ("price", "product_price", values.get("unit_price")),
        ):
            cell = raw.get(source)
            if is_empty(cell):
                checked[column] = default
                continue
            value = self.product_cleaners[column](cell)
            if isinstance(value, Invalid):
                self.fail(file, line, source, value.message, raw)
                return None
            checked[column] = value
        if checked["price"] in (None, EMPTY):
            checked["price"] = _unit_from_total(values)
        if checked["price"] in (None, EMPTY):
            self.fail(file, line, "unit_price", NO_PRICE, raw)
            return None
        if moment in (None, EMPTY):
            return None
        known = self.products[sku] = [None, checked["price"], moment, True]
        self.created_until(moment)
        self.new_products[sku] = dict(
            sku=sku,
            name=checked["name"],
            category=checked["category"],
            price=checked["price"],
            description="",
            brand="",
            attributes={},
            active=True,
            created_at=moment,
        )
        return known

    def _settle_total(self, file, line, raw, values, product) -> bool:
        """Fill unit price (the product's), discount and total so total = quantity × unit price − discount."""
        quantity = values.get("quantity")
        if quantity in (None, EMPTY):
            self.fail(file, line, "quantity", REQUIRED, raw)
            return False
        if values.get("unit_price") in (None, EMPTY):
            values["unit_price"] = product[1]
        gross = (Decimal(quantity) * values["unit_price"]).quantize(CENT)
        discount, total = values.get("discount"), values.get("total")
        discount = None if discount is EMPTY else discount
        total = None if total is EMPTY else total
        if discount is not None and discount > gross:
            self.fail(file, line, "discount", DISCOUNT_TOO_LARGE.format(gross=gross), raw)
            return False
        if total is not None and total > gross:
            self.fail(file, line, "total", TOTAL_ABOVE_GROSS.format(gross=gross), raw)
            return False
        if discount is None:
            discount = gross - total if total is not None else Decimal("0.00")
        expected = (gross - discount).quantize(CENT)
        if total is not None and total != expected:
            self.fail(file, line, "total", TOTAL_MISMATCH.format(expected=expected), raw)
            return False
        values["discount"], values["total"] = discount.quantize(CENT), expected
        return True

    # --- writing --------------------------------------------------------------------------------

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
                self._insert_rows(
                    model,
                    [
                        {pk_name: pk, **defaults, **values}
                        for pk, (_key, values) in zip(pks, pending, strict=True)
                    ],
                )
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
        """SQLite: one executemany, values prepared as Django's INSERT prepares them (``_preparer``)."""
        names = list(rows[0])
        fields = [model._meta.get_field(name) for name in names]
        connection = self.connection
        quote = connection.ops.quote_name
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        columns = [
            _prepare_column(f, [row[name] for row in rows], connection)
            for f, name in zip(fields, names, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, zip(*columns, strict=True))


PLAIN_TYPES = (
    "CharField",
    "EmailField",
    "TextField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "IntegerField",
    "BooleanField",
    "FloatField",
)


def _prepare_column(field, values: list, connection) -> list:
    """One column's values as ``get_db_prep_save`` gives them on SQLite, without a call per value
    for the plain types (the values are already the field's Python type)."""
    internal = field.get_internal_type()
    if internal in PLAIN_TYPES or field.is_relation:
        return values
    if internal == "DecimalField":
        return [None if v is None else str(v) for v in values]  # SQLite's Decimal adapter is str
    if internal == "DateTimeField":
        # What Django stores for an aware datetime: made naive in UTC, then str().
        return [None if v is None else str(v.astimezone(dt.UTC).replace(tzinfo=None)) for v in values]
    return [field.get_db_prep_save(v, connection) for v in values]


def _unit_from_total(values):
    """total / quantity rounded up to the cent (the rest is the line's discount), when both are there."""
    quantity, total = values.get("quantity"), values.get("total")
    if quantity in (None, EMPTY) or total in (None, EMPTY) or quantity < 1:
        return None
    return (total / quantity).quantize(CENT, rounding=ROUND_CEILING)


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else "" if value is None else str(value)


def _cleaners(model, names, tz):
    return {name: Cleaner(model._meta.get_field(name), timezone=tz) for name in names}


def _first_dates(model, date_field, customer_ids, using) -> dict:
    from django.db.models import Min

    found = {}
    for start in range(0, len(customer_ids), LOOKUP_CHUNK):
        rows = (
            model._base_manager.using(using)
            .filter(customer_id__in=customer_ids[start : start + LOOKUP_CHUNK])
            .values("customer_id")
            .annotate(first=Min(date_field))
            .values_list("customer_id", "first")
        )
        found.update(rows)
    return found


DECIMAL_TEXT = "^[0-9]{{1,{whole}}}(?:\\.[0-9]{{1,{places}}})?$"
# Timestamps as most exports write them, in UTC: their stored text is the cell with "T" → " " and
# no "Z", so a whole column is converted with two replaces instead of a format call per value.
PLAIN_UTC = re.compile(r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\n)*")
OPTIONAL = {str, type(None)}
REQUIRED_TEXT = {str}


def _first(values, limit, bad) -> int:
    """The index of the first value (before ``limit``) for which ``bad(value)`` is true, else limit."""
    for i in range(limit):
        if bad(values[i]):
            return i
    return limit


class FastSales:
    """Sales rows checked a column at a time, for the rows every check plainly accepts.

    It accepts a row only when each of its cells is one the model field's full validation accepts
    with the same value (printable text within max_length, a choice as given, an ISO timestamp in the
    date window, a plain non-negative decimal within the digits, a memoised quantity), the customer
    and product are known or creatable, the sale is not before an existing customer joined, and the
    total settles. Each check runs over a whole column of the batch (the distinct values of a column
    checked once, set and map operations in C rather than a Python call per cell) and gives the
    first row it cannot accept; the rows before the earliest of them are accepted, that row and the
    rest of the batch take the full path, so every message is still the model's and the rows are
    decided in file order as before. Every check of a row depends only on the row and the rows
    before it, so the accepted rows are the ones a row-by-row pass would accept.
    """

    def __init__(self, run):
        self.run = run
        kind = run.kind
        cleaners = kind.cleaners
        self.quantity = cleaners["quantity"]
        self.moment = cleaners["sold_at"]
        self.external_id = Sale._meta.get_field("external_id")
        self.choices = {
            name: {str(value) for value, _label in Sale._meta.get_field(name).choices}
            for name in ("channel", "status")
        }
        self.decimals = {}
        self.usable = True
        for name in ("unit_price", "discount", "total"):
            f = Sale._meta.get_field(name)
            # Only lower bounds at or below zero: a plain unsigned decimal then passes them all.
            for v in f.validators:
                if v.__class__ is MinValueValidator:
                    self.usable &= not callable(v.limit_value) and v.limit_value <= 0
                elif v.__class__ is not DecimalValidator:
                    self.usable = False
            self.decimals[name] = re.compile(
                DECIMAL_TEXT.format(whole=f.max_digits - f.decimal_places, places=f.decimal_places)
            ).match
        self.memos = {name: {} for name in self.decimals}
        self.refused = {name: set() for name in self.decimals}  # cells memoised as False (not plain)
        self.sku_memo = {}  # product_sku cell → the checked SKU
        self.totals = {}  # (quantity, unit price, discount, total) → (discount, total), or None: bad
        self.columns = [*kind.columns, "customer_id", "product_id"]
        self.sql = None

    # The columns the pass reads, with the types a cell may have (JSON Lines: None when absent).
    TYPES = {
        "external_id": REQUIRED_TEXT,
        "quantity": REQUIRED_TEXT,
        "sold_at": REQUIRED_TEXT,
        "customer_email": REQUIRED_TEXT,
        "product_sku": REQUIRED_TEXT,
        **dict.fromkeys(
            ("unit_price", "discount", "total", "channel", "status", "customer_name", "product_name",
             "category", "product_price"),
            OPTIONAL,
        ),
    }

    def _columns(self, batch):
        """Column name → list of cells (None: not in the file) and the number of rows to look at."""
        if batch.columns is not None:  # plain CSV lines, read a column at a time
            at = {name: i for i, name in enumerate(batch.header)}  # a repeated name: the last one
            columns = {name: list(batch.columns[at[name]]) if name in at else None for name in self.TYPES}
            if columns["external_id"] is None:
                columns["external_id"] = [""] * len(batch)
            return columns, len(batch)
        if batch.cells is not None:
            cells, header = batch.cells, batch.header
            limit = len(cells)
            if set(map(type, cells)) != {list}:  # a line that could not be parsed stops the pass
                limit = _first(cells, limit, lambda values: values.__class__ is not list)
            cells = cells[:limit]
            at = {name: i for i, name in enumerate(header)}  # a repeated name: the last one, as a dict
            transposed = list(zip(*cells, strict=True)) if cells else [[] for _ in header]
            columns = {name: list(transposed[at[name]]) if name in at else None for name in self.TYPES}
            if columns["external_id"] is None:
                columns["external_id"] = [""] * limit
            return columns, limit
        rows = batch.rows
        limit = _first(rows, len(rows), lambda entry: entry[1].__class__ is not dict)
        rows = [raw for _line, raw in rows[:limit]]
        columns = {name: [raw.get(name) for raw in rows] for name in self.TYPES}
        columns["external_id"] = [raw.get("external_id", "") for raw in rows]
        for name, values in columns.items():
            if name != "external_id" and not any(name in raw for raw in rows):
                columns[name] = None
        return columns, limit

    def check(self, batch):
        """``(rows done, accepted)``; ``accepted`` holds the rows' values a column at a time."""
        columns, cut = self._columns(batch)
        if not cut:
            return 0, []
        # Types first (a JSON value of another type, unhashable perhaps, stops the pass there;
        # CSV cells are all text).
        text_only = batch.header is not None
        for name, allowed in self.TYPES.items():
            values = columns[name]
            if values is None:
                if allowed is REQUIRED_TEXT:
                    return 0, []
                continue
            if not text_only and not set(map(type, values[:cut])) <= allowed:
                cut = _first(values, cut, lambda v, allowed=allowed: v.__class__ not in allowed)
        _truncate(columns, cut)
        for step in (self._cells, self._customers, self._products, self._totals):
            if not cut:
                return 0, []
            cut = step(columns, cut)
            _truncate(columns, cut)
        if not cut:
            return 0, []
        return cut, self._accept(columns, batch.lines[:cut] if batch.header is not None else
                                 [line for line, _raw in batch.rows[:cut]])

    # --- the cells (as _clean_cells) -----------------------------------------------------------

    def _cells(self, c, cut):
        seen = self.run.seen_keys
        ext = c["external_id"]
        ext_max = self.external_id.max_length
        joined = "".join(ext)
        plain = joined.isprintable() and max(map(len, ext)) <= ext_max
        # In printable text the only whitespace is " " (the others are not printable), so without
        # one no value changes when stripped.
        if not (plain and (" " not in joined or list(map(str.strip, ext)) == ext)):
            cut = _first(
                ext, cut, lambda v: v != "" and not (v.isprintable() and len(v) <= ext_max and v == v.strip())
            )
            del ext[cut:]
        keyed = set(ext)
        keyed.discard("")
        if len(keyed) != len(ext) - ext.count("") or not seen.keys().isdisjoint(keyed):
            earlier = set()

            def repeated(v):
                if v == "":
                    return False
                if v in seen or v in earlier:
                    return True
                earlier.add(v)
                return False

            cut = _first(ext, cut, repeated)
        # Quantities: a handful of distinct values, each through the field's full validation.
        cleaner = self.quantity
        quantities = {}
        for v in set(c["quantity"][:cut]):
            q = cleaner.memo.get(v) or cleaner(v)
            quantities[v] = q if q.__class__ is int else None
        if None in quantities.values():
            cut = _first(c["quantity"], cut, lambda v: quantities[v] is None)
        c["quantity"] = list(map(quantities.__getitem__, c["quantity"][:cut]))
        # Decimals: a plain unsigned number within the field's digits (memoised: prices repeat).
        for name, ok in self.decimals.items():
            values = c[name]
            if values is None:
                continue
            fresh = {
                v: None if v is None or v == "" else Decimal(v) if ok(v) else False
                for v in set(values[:cut]) - self.memos[name].keys()
            }
            memo = _memoised(self.memos[name], fresh)
            refused = self.refused[name]
            refused.update(v for v, value in fresh.items() if value is False)
            bad = refused.intersection(values[:cut]) if refused else None
            if bad:
                cut = _first(values, cut, bad.__contains__)
            c[name] = list(map(memo.__getitem__, values[:cut]))
        cut = self._moments(c, cut)
        for name in ("channel", "status"):
            values = c[name]
            if values is None:
                continue
            allowed = self.choices[name] | {"", None}
            found = set(values[:cut])
            if not found <= allowed:
                cut = _first(values, cut, lambda v, allowed=allowed: v not in allowed)
                found = set(values[:cut])
            if found & {"", None}:
                default = SalesKind.defaults[name]
                c[name] = [default if v is None or v == "" else v for v in values[:cut]]
        return cut

    def _moments(self, c, cut):
        """Timestamps (as ``Cleaner._fast_moment``) and their stored text."""
        raw = c["sold_at"][:cut]
        try:
            moments = list(map(dt.datetime.fromisoformat, raw))
        except ValueError:
            def unreadable(v):
                try:
                    dt.datetime.fromisoformat(v)
                except ValueError:
                    return True
                return False

            cut = _first(raw, cut, unreadable)
            raw = raw[:cut]
            moments = list(map(dt.datetime.fromisoformat, raw))
        if set(map(attrgetter("tzinfo"), moments)) != {dt.UTC}:
            tz = self.moment.timezone
            moments = [
                (m.replace(tzinfo=tz) if m.tzinfo is None else m).astimezone(dt.UTC) for m in moments
            ]
        earliest, latest = self.moment.window
        if moments and (min(moments) < earliest or max(moments) > latest):
            cut = _first(moments, cut, lambda m: not earliest <= m <= latest)
            del moments[cut:], raw[cut:]
        c["moments"] = moments
        joined = "\n".join(raw) + "\n" if raw else ""
        if PLAIN_UTC.fullmatch(joined):
            c["stored_moments"] = joined.replace("T", " ").replace("Z", "").split("\n")[:-1]
        else:
            c["stored_moments"] = None  # made from the datetimes when written
        return cut

    # --- the customer (as _customer_for) -------------------------------------------------------

    def _customers(self, c, cut):
        run = self.run
        customers, email_keys = run.customers, run.email_keys
        email_cleaner, name_cleaner = run.customer_cleaners["email"], run.customer_cleaners["name"]
        raw = c["customer_email"]

        def clean(v):
            email = email_cleaner(v) if v.strip() else None
            return normalize_email(email) if email is not None and email.__class__ is not Invalid else None

        emails = _mapped(raw, cut, email_keys, clean, limit=1_000_000)
        cut = len(emails)
        moments = c["moments"]
        firsts = _first_rows(emails)
        names = c["customer_name"]
        bad = cut
        new = {}
        for email in firsts.keys() - customers.keys():
            i = firsts[email]
            name = names[i] if names is not None else None
            name = name_cleaner(name) if name is not None and name.strip() else None
            if name is None or name.__class__ is Invalid:
                bad = min(bad, i)
            else:
                new[email] = name
        # Before an existing customer joined: the full path says so.
        joined = run.customers_at_start and {
            e: customers[e][1] for e in firsts.keys() & customers.keys() if not customers[e][2]
        }
        if joined:
            before = _first(range(cut), cut, lambda i: emails[i] in joined and moments[i] < joined[emails[i]])
            bad = min(bad, before)
        c["emails"], c["new_customers"] = emails[:bad], new
        return bad

    # --- the product (as _product_for) ---------------------------------------------------------

    def _products(self, c, cut):
        run = self.run
        products, cleaners = run.products, run.product_cleaners
        sku_cleaner, memo = cleaners["sku"], self.sku_memo
        raw = c["product_sku"]

        def clean(v):
            sku = sku_cleaner(v) if v.strip() else None
            return None if sku.__class__ is Invalid else sku

        skus = _mapped(raw, cut, memo, clean, limit=MEMO_LIMIT)
        cut = len(skus)
        firsts = _first_rows(skus)
        bad = cut
        new = {}
        for sku in firsts.keys() - products.keys():
            i = firsts[sku]
            fields = {}
            for column, source, default in (
                ("name", "product_name", None),
                ("category", "category", UNCATEGORISED),
                ("price", "product_price", c["unit_price"][i] if c["unit_price"] is not None else None),
            ):
                cell = c[source][i] if c[source] is not None else None
                if cell is None or not cell.strip():
                    fields[column] = default
                    continue
                value = cleaners[column](cell)
                if value.__class__ is Invalid:
                    break
                fields[column] = value
            else:
                if fields["price"] is None:
                    total = c["total"][i] if c["total"] is not None else None
                    fields["price"] = _unit_from_total({"quantity": c["quantity"][i], "total": total})
                if fields["name"] is not None and fields["price"] is not None:
                    new[sku] = fields
                    continue
            bad = min(bad, i)
        c["skus"], c["new_products"] = skus[:bad], new
        return bad

    # --- the total (as _settle_total) ----------------------------------------------------------

    def _totals(self, c, cut):
        products, new = self.run.products, c["new_products"]
        units, skus = c["unit_price"], c["skus"]
        if units is None or type(None) in set(map(type, units)):
            prices = {s: (new[s]["price"] if s in new else products[s][1]) for s in set(skus)}
            units = [prices[s] if u is None else u for u, s in zip(units or [None] * cut, skus, strict=True)]
        c["unit_price"] = units
        discounts = c["discount"] or [None] * cut
        totals = c["total"] or [None] * cut
        keys = list(zip(c["quantity"], units, discounts, totals, strict=True))
        settled = self.totals
        zero = Decimal("0.00")
        fresh = {}
        for key in set(keys) - settled.keys():
            quantity, unit, discount, total = key
            gross = (quantity * unit).quantize(CENT)
            if (discount is not None and discount > gross) or (total is not None and total > gross):
                outcome = None
            else:
                if discount is None:
                    discount = gross - total if total is not None else zero
                expected = (gross - discount).quantize(CENT)
                settles = total is None or total == expected
                discount = discount.quantize(CENT)
                # With the text SQLite stores (str, as its Decimal adapter), made once per key.
                outcome = (discount, expected, str(discount), str(expected)) if settles else None
            fresh[key] = outcome
        settled = _memoised(settled, fresh)
        outcomes = list(map(settled.__getitem__, keys))
        if None in outcomes:
            cut = outcomes.index(None)
            del outcomes[cut:]
        columns = zip(*outcomes, strict=True) if outcomes else ((), (), (), ())
        c["discount"], c["total"], c["discount_text"], c["total_text"] = map(list, columns)
        return cut

    # --- accepted: the same bookkeeping as the full path ---------------------------------------

    def _accept(self, c, lines):
        run = self.run
        n = len(lines)
        ext = c["external_id"]
        if ext.count("") < n:
            run.seen_keys.update(zip(ext, lines, strict=True))
            run.seen_keys.pop("", None)  # lines without one are always added
        moments = c["moments"]
        # Records this run created before may join (be created) earlier only when this batch
        # has rows before the latest date given so far (a file not in time order).
        latest = run.latest_created
        maybe_earlier = latest is not None and min(moments) < latest
        for keys, mapping, new, date_at, make in (
            (c["emails"], run.customers, c["new_customers"], 1, self._customer),
            (c["skus"], run.products, c["new_products"], 2, self._product),
        ):
            del keys[n:]
            earliest = _earliest(keys, moments)
            created = earliest.keys() - mapping.keys()
            if maybe_earlier:
                for key in earliest.keys() - created:
                    known = mapping[key]
                    if known[-1] and earliest[key] < known[date_at]:
                        known[date_at] = earliest[key]  # joins (is created) with its first order
            for key in created:
                make(key, new[key], earliest[key])
        run.created_until(max(moments))
        return Accepted(c, n)

    def _customer(self, email, name, moment):
        run = self.run
        run.customers[email] = [None, moment, True]
        run.new_customers[email] = dict(
            name=name, email=email, address="", city=UNKNOWN, country=UNKNOWN, joined_at=moment
        )

    def _product(self, sku, fields, moment):
        run = self.run
        run.products[sku] = [None, fields["price"], moment, True]
        run.new_products[sku] = dict(
            sku=sku,
            name=fields["name"],
            category=fields["category"],
            price=fields["price"],
            description="",
            brand="",
            attributes={},
            active=True,
            created_at=moment,
        )

    def insert(self, accepted):
        """SQLite: one executemany, values as ``_prepare_column`` gives them; elsewhere bulk_create."""
        run = self.run
        c = accepted.columns
        customers = {e: run.customers[e][0] for e in set(c["emails"])}
        products = {s: run.products[s][0] for s in set(c["skus"])}
        customer_ids = list(map(customers.__getitem__, c["emails"]))
        product_ids = list(map(products.__getitem__, c["skus"]))
        run.fast_references[Customer].update(customers.values())
        run.fast_references[Product].update(products.values())
        channels = c["channel"] or [SalesKind.defaults["channel"]] * len(accepted)
        statuses = c["status"] or [SalesKind.defaults["status"]] * len(accepted)
        if not run.fast_insert:
            names = self.columns
            run._insert(
                [
                    dict(zip(names, row, strict=True))
                    for row in zip(
                        c["quantity"], c["unit_price"], c["discount"], c["total"], c["moments"],
                        channels, statuses, c["external_id"], customer_ids, product_ids, strict=True,
                    )
                ]
            )
            return
        if self.sql is None:
            quote = run.connection.ops.quote_name
            fields = [Sale._meta.get_field(name) for name in self.columns]
            self.sql = (
                f"INSERT INTO {quote(Sale._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
                f"VALUES ({', '.join(['%s'] * len(fields))})"
            )
        # The moments are aware UTC datetimes: Django stores str() of them made naive, which is
        # their isoformat(" ") without the "+00:00" (or the plain cells' text, see PLAIN_UTC).
        stored = c["stored_moments"]
        if stored is None:
            stored = [m.isoformat(" ")[:-6] for m in c["moments"]]
        texts = {unit: str(unit) for unit in set(c["unit_price"])}  # prices repeat
        decimals = [list(map(texts.__getitem__, c["unit_price"])), c["discount_text"], c["total_text"]]
        with run.connection.cursor() as cursor:
            cursor.executemany(
                self.sql,
                zip(c["quantity"], *decimals, stored, channels, statuses, c["external_id"],
                    customer_ids, product_ids, strict=True),
            )


class Accepted:
    """The rows ``FastSales.check`` accepted, a column at a time."""

    def __init__(self, columns, n):
        self.columns = columns
        self.n = n

    def __len__(self):
        return self.n


def _mapped(values, cut, memo, clean, *, limit) -> list:
    """``values[:cut]`` through ``clean`` (memoised in ``memo`` up to ``limit`` entries), up to the
    first value it refuses (None)."""
    fresh = {v: clean(v) for v in set(values[:cut]) - memo.keys()}
    if None in fresh.values():
        cut = _first(values, cut, lambda v: fresh.get(v, "") is None)
        fresh = {v: value for v, value in fresh.items() if value is not None}
    if len(memo) + len(fresh) <= limit:
        memo.update(fresh)
        return list(map(memo.__getitem__, values[:cut]))
    return [fresh[v] if v in fresh else memo[v] for v in values[:cut]]


def _memoised(memo: dict, fresh: dict) -> dict:
    """``memo`` with ``fresh`` added (kept in it while under MEMO_LIMIT, else in a copy for this batch)."""
    if len(memo) + len(fresh) <= MEMO_LIMIT:
        memo.update(fresh)
        return memo
    return {**memo, **fresh}


def _truncate(columns, cut) -> None:
    for values in columns.values():
        if values.__class__ is list:
            del values[cut:]


def _first_rows(keys) -> dict:
    """Each key → the index of its first row (a dict built backwards: the earliest write wins)."""
    return dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))


def _earliest(keys, moments) -> dict:
    """Each key → its earliest moment among the rows."""
    if moments == sorted(moments):  # in time order, as exports usually are: the first row's
        return dict(zip(reversed(keys), reversed(moments), strict=True))
    earliest = {}
    for key, moment in zip(keys, moments, strict=True):
        if key not in earliest or moment < earliest[key]:
            earliest[key] = moment
    return earliest
