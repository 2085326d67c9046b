"""The sales fast pass: a batch checked a column at a time (see ``FastSales``)."""

import datetime as dt
import re
from decimal import Decimal
from operator import attrgetter

from django.core.validators import DecimalValidator, MinValueValidator

from accounts.models import Customer
from accounts.services import normalize_email
from catalog.models import Product
from sales.models import Sale

from ..cells import MEMO_LIMIT, Invalid
from .helpers import (
    DECIMAL_TEXT,
    OPTIONAL,
    PLAIN_UTC,
    REQUIRED_TEXT,
    _earliest,
    _first,
    _first_rows,
    insert_columns,
    _mapped,
    _memoised,
    _truncate,
    _unit_from_total,
)
from .kinds import CENT, UNCATEGORISED, UNKNOWN, SalesKind


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
        # The moments are aware UTC datetimes: Django stores str() of them made naive, which is
        # their isoformat(" ") without the "+00:00" (or the plain cells' text, see PLAIN_UTC).
        stored = c["stored_moments"]
        if stored is None:
            stored = [m.isoformat(" ")[:-6] for m in c["moments"]]
        texts = {unit: str(unit) for unit in set(c["unit_price"])}  # prices repeat
        decimals = [list(map(texts.__getitem__, c["unit_price"])), c["discount_text"], c["total_text"]]
        insert_columns(
            run.connection,
            Sale._meta.db_table,
            [Sale._meta.get_field(name).column for name in self.columns],
            [c["quantity"], *decimals, stored, channels, statuses, c["external_id"], customer_ids, product_ids],
        )


class Accepted:
    """The rows ``FastSales.check`` accepted, a column at a time."""

    def __init__(self, columns, n):
        self.columns = columns
        self.n = n

    def __len__(self):
        return self.n
