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

New sales (no keyed sales in the table yet) first take ``FastSales``: a straight-line pass over
the batch that accepts the rows every check plainly passes and stops at the first it cannot
decide; that row and the rest of the batch take the full checks, so messages and outcomes are
the same as without it.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal

from django.core.validators import DecimalValidator, MinValueValidator
from django.db import connections
from django.utils import timezone

from accounts.models import Customer
from accounts.services import normalize_email
from catalog.models import Product
from core.dates import earliest_datetime, latest_datetime
from feedback.models import FEEDBACK_BEFORE_JOIN, Feedback
from sales.models import DISCOUNT_TOO_LARGE, SALE_BEFORE_JOIN, Sale

from .cells import EMPTY, MEMO_LIMIT, Cleaner, Invalid, is_empty

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
        self.errors: list[RowError] = []
        self.seen_keys: dict[str, int] = {}  # natural key → line (duplicates in one run are refused)
        self.now = timezone.now()
        self.customer_cleaners = _cleaners(Customer, ("email", "name"), tz)
        self.product_cleaners = _cleaners(Product, ("sku", "name", "category", "price"), tz)
        # Referenced records: email → [pk, joined_at, new?]; sku → [pk, price, created_at, new?].
        self.customers: dict[str, list] = {}
        self.products: dict[str, list] = {}
        self.new_customers: dict[str, Customer] = {}
        self.new_products: dict[str, Product] = {}
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
        self.unknown_columns: set[str] = set()
        self.connection = connections[using]
        self.fast_insert = self.connection.vendor == "sqlite"
        self.fast_sales = FastSales(self) if kind == "sales" and not self.any_keyed else None
        if self.fast_sales is not None and not self.fast_sales.usable:
            self.fast_sales = None

    def _fast_sales(self, batch, whole) -> int:
        """The rows a straight line of plain checks accepts, from the start of the batch, written
        at once; the number of rows done (the rest, from the first row it cannot decide, takes
        the full path). See ``FastSales``."""
        fast = self.fast_sales
        if self.join_at_first_order:
            return 0
        if self.customers_at_start or self.products_at_start:
            emails, skus = set(), set()
            for _line, raw in batch:
                if isinstance(raw, dict):
                    emails.add(_text(raw.get("customer_email")).lower())
                    skus.add(_text(raw.get("product_sku")))
            if self.customers_at_start:
                self._load_customers([e for e in emails if e and e not in self.customers])
            if self.products_at_start:
                self._load_products([s for s in skus if s and s not in self.products])
        done, rows = fast.check(batch)
        if not rows:
            return done
        apply = self.write
        if apply and whole >= BATCH:
            self.drop_indexes()
        self._create_related(apply=apply)
        self.counts.created += len(rows)
        if apply:
            fast.insert(rows)
        return done

    # --- checking ------------------------------------------------------------------------------

    def fail(self, file, line, column, message, raw):
        self.errors.append(RowError(file, line, column, message, raw))

    def add_batch(self, file: str, batch: list[tuple[int, dict]]) -> None:
        """Check a batch of ``(line, raw row)`` and write its good rows (when writing)."""
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
        if self.fast_sales is not None:
            done = self._fast_sales(batch, whole)
            if done:
                batch = batch[done:]
        for line, raw in batch:
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
        if rows:
            if self.write and whole >= BATCH:
                self.drop_indexes()  # a large first load (see drop_indexes)
            self._write(rows, apply=self.write)  # counted also on a dry run

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
        self.new_customers[email] = Customer(
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
        self.new_products[sku] = Product(
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
        for mapping, new, model, counter in (
            (self.customers, self.new_customers, Customer, "customers"),
            (self.products, self.new_products, Product, "products"),
        ):
            pending = list(new.items())
            new.clear()  # created below; only their keys and dates are kept (self.created)
            if not pending:
                continue
            objs = [obj for _key, obj in pending]
            if not apply:
                for key, obj in pending:
                    obj.pk = mapping[key][0] = f"new:{key}"  # stands for the key in a dry run
                self.counts.related_created[counter] += len(objs)
                continue
            if model is Product:
                for key, obj in pending:
                    obj.created_at = mapping[key][2]
            else:
                for key, obj in pending:
                    obj.joined_at = mapping[key][1]
            if self.fast_insert:
                # Keys given up front, after the highest the table has used (inside this run's
                # transaction, which holds SQLite's write lock), so nothing is read back.
                base = self._next_pk(model)
                for offset, obj in enumerate(objs):
                    obj.pk = base + offset
                names = [f.attname for f in model._meta.concrete_fields]
                self._insert_rows(model, [{n: getattr(obj, n) for n in names} for obj in objs])
            else:
                model._base_manager.using(self.using).bulk_create(objs, batch_size=500)
            created = self.created[model]
            for key, obj in pending:
                mapping[key][0] = obj.pk
                created[key] = (obj.pk, obj.joined_at if model is Customer else obj.created_at)
            self.counts.related_created[counter] += len(objs)

    def written_tables(self) -> list[str]:
        """The tables this run may have written (for the foreign key check before the commit)."""
        models = [self.model, Customer, Product] if self.kind_name in ("sales", "feedback") else [self.model]
        return [model._meta.db_table for model in models]

    def finish(self):
        """Move the join / creation dates of the customers and products this run created back to
        their first order when a later batch carried an earlier one."""
        if not self.write:
            return
        self.restore_indexes()
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


def _plain_decimal(cell, ok, memo):
    """A decimal cell: None when empty, its Decimal when a plain unsigned number within the digits,
    False otherwise (the full path decides)."""
    if cell == "":
        return None
    if cell.__class__ is not str or not ok(cell):
        return False
    value = Decimal(cell)
    if len(memo) < MEMO_LIMIT:
        memo[cell] = value
    return value


DECIMAL_TEXT = "^[0-9]{{1,{whole}}}(?:\\.[0-9]{{1,{places}}})?$"


class FastSales:
    """Sales rows checked in one straight pass, for the rows every check plainly accepts.

    It accepts a row only when each of its cells is one the model field's full validation accepts
    with the same value (printable text within max_length, a choice as given, an ISO timestamp in the
    date window, a plain non-negative decimal within the digits, a memoised quantity), the customer
    and product are known or creatable, the sale is not before an existing customer joined, and the
    total settles. Anything else (a bad cell, a duplicate key, a missing price, a JSON value of
    another type) stops the pass: that row and the rest of the batch take the full path, so every
    message is still the model's and the rows are decided in file order as before.
    """

    def __init__(self, run):
        import re

        self.run = run
        kind = run.kind
        cleaners = kind.cleaners
        self.quantity_memo = cleaners["quantity"].memo
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
        self.sku_memo = {}  # product_sku cell → the checked SKU
        self.columns = [*kind.columns, "customer_id", "product_id"]
        self.sql = None

    def check(self, batch):
        """``(rows done, accepted rows)``; accepted rows are tuples in ``columns`` order with the
        customer and product as their records' lists (keys filled in when they are created)."""
        run = self.run
        customers, products = run.customers, run.products
        new_customers, new_products = run.new_customers, run.new_products
        seen = run.seen_keys
        email_keys = run.email_keys
        email_cleaner = run.customer_cleaners["email"]
        name_cleaner = run.customer_cleaners["name"]
        sku_cleaner = run.product_cleaners["sku"]
        product_cleaners = run.product_cleaners
        quantity_memo, quantity_cleaner = self.quantity_memo, self.quantity
        moment_of = self.moment.fast
        ext_max = self.external_id.max_length
        channels, statuses = self.choices["channel"], self.choices["status"]
        up_ok, disc_ok, total_ok = self.decimals["unit_price"], self.decimals["discount"], self.decimals["total"]
        sku_memo = self.sku_memo
        up_memo, disc_memo, total_memo = self.memos["unit_price"], self.memos["discount"], self.memos["total"]
        default_channel, default_status = SalesKind.defaults["channel"], SalesKind.defaults["status"]
        zero = Decimal("0.00")
        rows = []
        done = 0
        for line, raw in batch:
            if raw.__class__ is not dict:
                break
            get = raw.get
            # --- the cells (as _clean_cells) -------------------------------------------------
            ext = get("external_id", "")
            if ext.__class__ is not str:
                break
            if ext:
                if not (ext.isprintable() and len(ext) <= ext_max and ext == ext.strip()) or ext in seen:
                    break
            quantity = get("quantity")
            if quantity.__class__ is not str:
                break
            quantity = quantity_memo.get(quantity) or quantity_cleaner(quantity)
            if quantity.__class__ is not int:
                break
            # Decimals: a plain unsigned number within the field's digits (memoised: prices repeat).
            unit = get("unit_price")
            if unit is not None:
                unit = up_memo.get(unit) or _plain_decimal(unit, up_ok, up_memo)
                if unit is False:
                    break
            discount = get("discount")
            if discount is not None:
                discount = disc_memo.get(discount) or _plain_decimal(discount, disc_ok, disc_memo)
                if discount is False:
                    break
            total = get("total")
            if total is not None:
                total = total_memo.get(total) or _plain_decimal(total, total_ok, total_memo)
                if total is False:
                    break
            moment = get("sold_at")
            if moment.__class__ is not str:
                break
            moment = moment_of(moment)
            if moment is None:
                break
            channel = get("channel")
            if channel is None or channel == "":
                channel = default_channel
            elif channel not in channels:
                break
            status = get("status")
            if status is None or status == "":
                status = default_status
            elif status not in statuses:
                break
            # --- the customer (as _customer_for) ----------------------------------------------
            email_raw = get("customer_email")
            if email_raw.__class__ is not str:
                break
            email = email_keys.get(email_raw)
            if email is None:
                if not email_raw.strip():
                    break
                email = email_cleaner(email_raw)
                if email.__class__ is Invalid:
                    break
                email = normalize_email(email)
                if len(email_keys) < 1_000_000:
                    email_keys[email_raw] = email
            customer = customers.get(email)
            customer_name = None
            if customer is None:
                name_raw = get("customer_name")
                if name_raw.__class__ is not str or not name_raw.strip():
                    break
                customer_name = name_cleaner(name_raw)
                if customer_name.__class__ is Invalid:
                    break
            elif not customer[2] and moment < customer[1]:
                break  # before an existing customer joined: the full path says so
            # --- the product (as _product_for) ------------------------------------------------
            sku_raw = get("product_sku")
            if sku_raw.__class__ is not str or not sku_raw.strip():
                break
            sku = sku_memo.get(sku_raw)
            if sku is None:
                sku = sku_cleaner(sku_raw)
                if sku.__class__ is Invalid:
                    break
                if len(sku_memo) < MEMO_LIMIT:
                    sku_memo[sku_raw] = sku
            product = products.get(sku)
            product_fields = None
            if product is None:
                product_fields = {}
                for column, source, default in (
                    ("name", "product_name", None),
                    ("category", "category", UNCATEGORISED),
                    ("price", "product_price", unit),
                ):
                    cell = get(source)
                    if cell is None or (cell.__class__ is str and not cell.strip()):
                        product_fields[column] = default
                        continue
                    if cell.__class__ is not str:
                        break
                    value = product_cleaners[column](cell)
                    if value.__class__ is Invalid:
                        break
                    product_fields[column] = value
                else:
                    cell = None
                if len(product_fields) < 3 or product_fields["name"] is None:
                    break
                if product_fields["price"] is None:
                    product_fields["price"] = _unit_from_total({"quantity": quantity, "total": total})
                    if product_fields["price"] is None:
                        break
                price = product_fields["price"]
            else:
                price = product[1]
            # --- the total (as _settle_total) -------------------------------------------------
            if unit is None:
                unit = price
            gross = (quantity * unit).quantize(CENT)
            if discount is not None and discount > gross:
                break
            if total is not None and total > gross:
                break
            if discount is None:
                discount = gross - total if total is not None else zero
            expected = (gross - discount).quantize(CENT)
            if total is not None and total != expected:
                break
            # --- accepted: the same bookkeeping as the full path ------------------------------
            if ext:
                seen[ext] = line
            if customer is None:
                customer = customers[email] = [None, moment, True]
                new_customers[email] = Customer(
                    name=customer_name,
                    email=email,
                    address="",
                    city=UNKNOWN,
                    country=UNKNOWN,
                    joined_at=moment,
                )
            elif customer[2] and moment < customer[1]:
                customer[1] = moment
            if product is None:
                product = products[sku] = [None, price, moment, True]
                new_products[sku] = Product(
                    sku=sku,
                    name=product_fields["name"],
                    category=product_fields["category"],
                    price=price,
                    description="",
                    brand="",
                    attributes={},
                    active=True,
                    created_at=moment,
                )
            elif product[3] and moment < product[2]:
                product[2] = moment
            rows.append(
                (quantity, unit, discount.quantize(CENT), expected, moment, channel, status, ext, customer, product)
            )
            done += 1
        return done, rows

    def insert(self, rows):
        """SQLite: one executemany, values as ``_prepare_column`` gives them; elsewhere bulk_create."""
        run = self.run
        if not run.fast_insert:
            run._insert(
                [
                    {
                        "quantity": q, "unit_price": u, "discount": d, "total": t, "sold_at": m,
                        "channel": c, "status": s, "external_id": e,
                        "customer_id": cu[0], "product_id": pr[0],
                    }
                    for q, u, d, t, m, c, s, e, cu, pr in rows
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
        # The moments are aware UTC datetimes (``Cleaner._fast_moment``): Django stores str() of them
        # made naive, which is their isoformat(" ") without the "+00:00".
        values = [
            (q, str(u), str(d), str(t), m.isoformat(" ")[:-6], c, s, e, cu[0], pr[0])
            for q, u, d, t, m, c, s, e, cu, pr in rows
        ]
        with run.connection.cursor() as cursor:
            cursor.executemany(self.sql, values)
