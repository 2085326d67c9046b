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

from .fast_sales import Accepted, FastSales
from .kinds import BATCH, EXPORT_ONLY, KINDS, Counts, RowError
from .run import ImportRun

__all__ = ["BATCH", "EXPORT_ONLY", "KINDS", "Accepted", "Counts", "FastSales", "ImportRun", "RowError"]
