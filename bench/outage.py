"""No lost update through an outage of the embedded index: N mixed writes, then recovery, then a check.

How it measures. In a throw-away DATA_DIR (nothing touches ./var) it migrates, seeds the small data
set and builds the tantivy index. Then N writes (default 10,000) go through the services, as the
admin and the API do, in autocommit (each its own transaction, so the index update runs after the
commit as in production): creates of customers, products, sales and feedback, edits of each (product
and customer renames re-index the sales and feedback that carry them), and deletes of sales, feedback
and of customers and products created here. They are split over three outages in turn:

1. the index folder moved away while the app runs (moved back afterwards),
2. the folder made unwritable (``chattr +i`` as root, who ignores file modes; else mode 555),
3. the index writer held by another process (a child process keeps the lock); every write here
   waits out the writer's retries, so this share is smaller (``--locked``, default 300).

A write counts as succeeded when its service returns; as queued when a ``PendingUpdate`` row is
waiting for its record afterwards. After the outage ends, ``search_index --drain`` runs once and the
index is compared, document by document and field by field, with the documents the database gives
now: *missing* is a record with no document, *stale* a document whose stored fields differ, and
*deleted still found* a document whose record is gone. Target: 0 of each. The headline is the last
line; exits 1 on a miss.

    .venv/bin/python bench/outage.py [--writes 10000] [--locked 500] [--seed 1]
"""

import argparse
import contextlib
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DATA_DIR = Path(tempfile.mkdtemp(prefix="bench-outage-"))
os.environ["DATA_DIR"] = str(DATA_DIR)
os.environ.pop("MONGODB_URI", None)
os.environ.pop("ELASTICSEARCH_URL", None)
os.environ["SEARCH_BACKEND"] = "embedded"
os.environ["DJANGO_SETTINGS_MODULE"] = "ecommerce_analytics.settings"
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402

sys.stdout.reconfigure(line_buffering=True)
django.setup()

import logging  # noqa: E402

from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import Customer  # noqa: E402
from accounts.services import customer_create, customer_update  # noqa: E402
from catalog.models import Product  # noqa: E402
from catalog.services import product_create, product_delete, product_update  # noqa: E402
from feedback.models import Feedback  # noqa: E402
from feedback.services import feedback_create, feedback_delete, feedback_update  # noqa: E402
from sales.models import Sale  # noqa: E402
from sales.services import sale_create, sale_delete, sale_update  # noqa: E402
from search import records  # noqa: E402
from search.backends import get_search_backend  # noqa: E402
from search.backends.embedded import STORED, to_tantivy  # noqa: E402
from search.models import PendingUpdate  # noqa: E402

logging.getLogger("search").setLevel(logging.CRITICAL)  # one warning per deferred write otherwise

HOLD_THE_WRITER = """
import sys, tantivy
writer = tantivy.Index.open(sys.argv[1]).writer(heap_size=15_000_000, num_threads=1)
print("locked", flush=True)
sys.stdin.read()
"""


# --- The outages ---------------------------------------------------------------------------------


@contextlib.contextmanager
def folder_moved(backend):
    away = backend.root.with_name("search-moved-away")
    os.rename(backend.root, away)
    try:
        yield
    finally:
        os.rename(away, backend.root)


@contextlib.contextmanager
def folder_unwritable(backend):
    path = backend.path
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(path)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], check=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(mode)


@contextlib.contextmanager
def writer_locked(backend):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_WRITER, str(backend.path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        if holder.stdout.readline().strip() != "locked":
            raise RuntimeError("the lock holder did not start")
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)


# --- The writes ----------------------------------------------------------------------------------


class Writer:
    """Mixed writes through the services; remembers what it created so it can delete some of it."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.n = 0
        self.customers = list(Customer.objects.values_list("pk", flat=True))
        self.products = list(Product.objects.values_list("pk", flat=True))
        self.sales = list(Sale.objects.values_list("pk", flat=True))
        self.feedback = list(Feedback.objects.values_list("pk", flat=True))
        self.new_customers, self.new_products = [], []
        self.ops = [
            (self.create_customer, 1), (self.create_product, 1), (self.create_sale, 2), (self.create_feedback, 2),
            (self.edit_customer, 1), (self.edit_product, 1), (self.edit_sale, 2), (self.edit_feedback, 2),
            (self.delete_sale, 2), (self.delete_feedback, 2), (self.delete_new, 1),
        ]

    def one(self):
        self.n += 1
        fns, weights = zip(*self.ops, strict=True)
        self.rng.choices(fns, weights)[0]()

    def _when(self):
        # Now, give or take a minute: never before the customer joined or the product was listed.
        return timezone.now() - dt.timedelta(seconds=self.rng.randint(0, 60))

    def create_customer(self):
        c = customer_create(name=f"Outage Customer {self.n}", email=f"outage{self.n}@example.com",
                            city="Lisbon", country="PT", joined_at=timezone.now() - dt.timedelta(days=400))
        self.customers.append(c.pk)
        self.new_customers.append(c.pk)

    def create_product(self):
        p = product_create(sku=f"SKU-OUT{self.n:06d}", name=f"Outage Lantern {self.n}", category="Books",
                           price=Decimal("19.90"), created_at=timezone.now() - dt.timedelta(days=400))
        self.products.append(p.pk)
        self.new_products.append(p.pk)

    def _pick(self, model, ids):
        while ids:
            pk = self.rng.choice(ids)
            obj = model.objects.filter(pk=pk).first()
            if obj is not None:
                return obj
            ids.remove(pk)
        return None

    def create_sale(self):
        s = sale_create(customer=self._pick(Customer, self.customers), product=self._pick(Product, self.products),
                        quantity=self.rng.randint(1, 5), sold_at=self._when())
        self.sales.append(s.pk)

    def create_feedback(self):
        f = feedback_create(customer=self._pick(Customer, self.customers),
                            product=self._pick(Product, self.products),
                            rating=self.rng.randint(1, 5), comment=f"outage comment {self.n}",
                            created_at=self._when())
        self.feedback.append(f.pk)

    def edit_customer(self):
        customer_update(customer=self._pick(Customer, self.customers), data={"name": f"Renamed Customer {self.n}"})

    def edit_product(self):
        product_update(product=self._pick(Product, self.products), data={"name": f"Renamed Product {self.n}"})

    def edit_sale(self):
        sale_update(sale=self._pick(Sale, self.sales), data={"quantity": self.rng.randint(1, 9)})

    def edit_feedback(self):
        feedback_update(feedback=self._pick(Feedback, self.feedback), data={"comment": f"edited {self.n}"})

    def delete_sale(self):
        sale = self._pick(Sale, self.sales)
        self.sales.remove(sale.pk)
        sale_delete(sale=sale)

    def delete_feedback(self):
        fb = self._pick(Feedback, self.feedback)
        self.feedback.remove(fb.pk)
        feedback_delete(feedback=fb)

    def delete_new(self):
        """A customer or product created here with no records yet (others cannot be deleted)."""
        for model, ids, delete, kw in ((Product, self.new_products, product_delete, "product"),
                                       (Customer, self.new_customers, None, "customer")):
            for pk in list(ids):
                obj = model.objects.filter(pk=pk).first()
                ids.remove(pk)
                if obj is None or obj.sales.exists() or obj.feedback.exists():
                    continue
                if delete is None:
                    from accounts.services import customer_delete as delete
                (self.customers if model is Customer else self.products).remove(pk)
                delete(**{kw: obj})
                return
        self.edit_sale()  # nothing deletable yet: keep the count of writes


# --- The check -----------------------------------------------------------------------------------


def _norm(name, value):
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=value.tzinfo or dt.timezone.utc).timestamp()
    if name == "price":
        return round(float(value), 4)
    return value


def index_contents(backend) -> dict[str, dict]:
    import tantivy

    index = backend._open()
    index.reload()
    searcher = index.searcher()
    total = searcher.num_docs
    out = {}
    for _, address in searcher.search(tantivy.Query.all_query(), limit=max(total, 1)).hits:
        doc = searcher.doc(address).to_dict()
        first = {k: _norm(k, v[0]) for k, v in doc.items() if v}
        out[f"{first['type']}:{first['id']}"] = first
    return out


def database_contents() -> dict[str, dict]:
    out = {}
    for name in records.TYPES:
        for record_id, doc in records.documents(name):
            fields = to_tantivy(name, record_id, doc)
            out[fields["key"]] = {k: _norm(k, v) for k, v in fields.items() if k in STORED and k != "key"}
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--writes", type=int, default=10_000)
    parser.add_argument("--locked", type=int, default=300, help="of the writes, how many while the writer is locked")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if os.geteuid() == 0 and shutil.which("chattr") is None:
        sys.exit("running as root without chattr: cannot make the folder unwritable")

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("seed_data", "--size", "small", "--seed", str(args.seed), verbosity=0, stdout=open(os.devnull, "w"))
    call_command("search_index", "--rebuild", "-f", stdout=open(os.devnull, "w"))
    backend = get_search_backend()
    print(f"setup (migrate, small seed, index): {time.perf_counter() - t0:.1f} s, "
          f"{backend._open().searcher().num_docs:,} documents")

    writer = Writer(random.Random(args.seed))
    locked = min(args.locked, args.writes)
    moved = (args.writes - locked) // 2
    phases = [("index folder moved away", folder_moved, moved),
              ("index folder unwritable", folder_unwritable, args.writes - locked - moved),
              ("writer locked by another process", writer_locked, locked)]
    attempted = succeeded = failed = 0
    for label, outage, n in phases:
        t = time.perf_counter()
        with outage(backend):
            for _ in range(n):
                attempted += 1
                try:
                    writer.one()
                except Exception as exc:  # a write that fails is a lost write too
                    failed += 1
                    print(f"  write {attempted} failed: {exc!r}")
                else:
                    succeeded += 1
            waiting = PendingUpdate.objects.filter(record_type__in=records.TYPES).count()
        print(f"{label}: {n:,} writes in {time.perf_counter() - t:.1f} s, {waiting:,} records queued so far")

    queued = PendingUpdate.objects.filter(record_type__in=records.TYPES, failed_reason="").count()
    set_aside = PendingUpdate.objects.filter(record_type__in=records.TYPES).exclude(failed_reason="").count()
    t = time.perf_counter()
    call_command("search_index", "--drain", stdout=sys.stdout)
    print(f"drain: {time.perf_counter() - t:.1f} s")
    left = PendingUpdate.objects.count()

    have, want = index_contents(backend), database_contents()
    missing = set(want) - set(have)
    stale = {k for k in want.keys() & have.keys() if want[k] != have[k]}
    ghosts = set(have) - set(want)
    for label, keys in (("missing", missing), ("stale", stale), ("deleted still found", ghosts)):
        if keys:
            print(f"  {label}: {sorted(keys)[:5]}")
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    ok = succeeded == attempted and not (missing or stale or ghosts or left or set_aside)
    print(
        f"writes attempted {attempted:,}, succeeded {succeeded:,}, failed {failed:,}; "
        f"records queued {queued:,} (set aside {set_aside:,}), left after drain {left:,}; "
        f"after recovery: missing {len(missing):,}, stale {len(stale):,}, deleted still found {len(ghosts):,} "
        f"of {len(want):,} documents (target 0) — {'OK' if ok else 'MISS'}"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
