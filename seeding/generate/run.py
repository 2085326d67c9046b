"""Generate and write a whole seed, all or nothing (one transaction on SQLite, a marker on MongoDB)."""

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from itertools import groupby
from operator import itemgetter

import numpy as np
from django.db import DEFAULT_DB_ALIAS, connections, models

from accounts.models import Customer
from catalog.models import Product
from core.db import atomic
from core.prefetch import prefetched
from feedback.models import Feedback
from sales.models import Sale

from .anomalies import day_factors, plant
from .customers import generate_customers
from .guard import guarded, undo_stale
from .feedback import feedback_batches
from .options import SeedError, SeedPlan
from .pools import build_pools
from .products import generate_products
from .records import clear_records, outside_tables, tables_with_records
from .sales import choose_reviewed, sale_batches
from .timeline import Window
from .writers import OrmWriter, SqliteWriter

HAS_RECORDS = (
    "The database already has {tables}; seed_records writes into empty tables only (or clear=True): "
    "a failed run empties what it wrote, which would take those too."
)

# progress(label, total) -> context manager with .update(n); tqdm fits.
Progress = Callable[[str, int], AbstractContextManager]


class _Silent:
    def update(self, n: int) -> None:
        pass


def no_progress(label: str, total: int) -> AbstractContextManager:
    return nullcontext(_Silent())


def writer_for(connection, *, window: Window):
    if connection.vendor == "sqlite":
        return SqliteWriter(connection)
    return OrmWriter(using=connection.alias, key_time=window.end)


def seed_records(
    *, plan: SeedPlan, clear: bool, progress: Progress = no_progress, using: str = DEFAULT_DB_ALIAS
) -> dict[str, int]:
    """Write the plan's rows (after deleting existing ones when ``clear``) all or nothing.

    First undoes what a killed earlier run left (seeding.generate.guard). Sends no signal: the caller
    sends records_seeded once this has committed. Returns the counts written, keyed as the signal
    names them.
    """
    connection = connections[using]
    undo_stale(using=using)
    if not clear and (existing := tables_with_records(using=using)):
        raise SeedError(HAS_RECORDS.format(tables=", ".join(existing)))
    window = Window(until=plan.until)
    writer = writer_for(connection, window=window)
    # SQLite: foreign keys unchecked during the load (the keys are generated in range; the
    # tests run PRAGMA foreign_key_check). Only takes effect outside a transaction, as here.
    checks_off = connection.constraint_checks_disabled() if connection.vendor == "sqlite" else nullcontext()
    with guarded(cleared=clear, using=using), checks_off:
        if connection.vendor == "sqlite":
            # One transaction: rolled back on failure, and by SQLite itself if the process dies.
            with atomic(using):
                if clear:
                    clear_records(using=using)
                    # Rows of other apps pointing at what was cleared would now dangle: fail instead.
                    connection.check_constraints(table_names=outside_tables())
                _write(writer, plan, window, progress)
        else:
            # Batches each on its own (OrmWriter: insertMany of ORM_BATCH documents), no transaction:
            # a large seed outlives transactionLifetimeLimitSeconds. The old records, when clearing,
            # were set aside by guarded() and come back if this raises.
            _write(writer, plan, window, progress)
    return plan.counts


def planted_anomalies(plan: SeedPlan):
    """The days ``plan`` plants spikes and drops on (seeding.generate.anomalies), in date order."""
    return plant(seed=plan.seed, window=Window(until=plan.until), n=plan.anomalies)


def _write(writer, plan: SeedPlan, window: Window, progress: Progress) -> None:
    totals = {Product: plan.products, Customer: plan.users, Sale: plan.sales, Feedback: plan.feedback}
    encoded = ((model, writer.encode(model, batch)) for model, batch in _generate(plan, window))
    for model, group in groupby(prefetched(encoded, name="seed-generate"), key=itemgetter(0)):
        label = str(model._meta.verbose_name_plural)
        with progress(label, totals[model]) as bar, writer.table(model) as insert:
            for _model, rows in group:
                bar.update(insert(rows))


def _generate(plan: SeedPlan, window: Window) -> Iterator[tuple[type[models.Model], dict]]:
    """(model, column batch) pairs, parents before children; one table's batches in a row."""
    # One random stream per part: changing --sales does not change the customers.
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(plan.seed).spawn(5)]
    products_rng, customers_rng, reviews_rng, sales_rng, feedback_rng = streams
    pools = build_pools(plan.seed)

    products, batch = generate_products(products_rng, pools=pools, window=window, n=plan.products)
    if plan.products:
        yield Product, batch
    del batch
    customers, batches = generate_customers(customers_rng, pools=pools, window=window, n=plan.users)
    yield from ((Customer, batch) for batch in batches)
    reviewed = choose_reviewed(reviews_rng, sales=plan.sales, reviews=plan.feedback)
    factors = day_factors(window, plant(seed=plan.seed, window=window, n=plan.anomalies))
    batches = sale_batches(
        sales_rng, window=window, customers=customers, products=products, n=plan.sales, reviewed=reviewed,
        day_factors=factors,
    )
    yield from ((Sale, batch) for batch in batches)
    batches = feedback_batches(
        feedback_rng, window=window, customers=customers, products=products, reviewed=reviewed,
        n=plan.feedback,
    )
    yield from ((Feedback, batch) for batch in batches)
