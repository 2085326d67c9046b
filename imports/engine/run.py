"""One import run: the batches checked row by row (after the sales fast pass), see the package."""

import datetime as dt
import time
from decimal import Decimal

from django.db import connections
from django.utils import timezone

from accounts.models import Customer
from accounts.services import normalize_email
from catalog.models import Product
from core.dates import earliest_datetime, latest_datetime
from feedback.models import Feedback
from sales.models import DISCOUNT_TOO_LARGE, Sale

from ..cells import EMPTY, Invalid, is_empty
from ..reading import Batch
from .fast_sales import FastSales
from .helpers import _cleaners, _first_dates, _text, _unit_from_total
from .kinds import (
    BATCH,
    CENT,
    DUPLICATE,
    JOIN_HINT,
    JOINED_AFTER,
    KINDS,
    LOOKUP_CHUNK,
    NO_CUSTOMER,
    NO_PRICE,
    NO_PRODUCT,
    REQUIRED,
    TOTAL_ABOVE_GROSS,
    TOTAL_MISMATCH,
    UNCATEGORISED,
    UNKNOWN,
    Counts,
    RowError,
)
from .writing import Writing


class ImportRun(Writing):
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
