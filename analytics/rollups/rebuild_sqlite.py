"""The rebuild as set-based SQL on SQLite: seconds instead of the ORM path's minutes at the large size.

Reads the columns as Django's SQLite backend stores them: aware datetimes as UTC text
('YYYY-MM-DD HH:MM:SS...', so the UTC day is the first ten characters), dates as 'YYYY-MM-DD',
decimals as numbers. sales/tests/test_analytics_rebuild.py holds it to the ORM path row for row.
"""

import datetime as dt

from django.db import connection

from accounts.models import Customer
from analytics.models import (
    NO_EARLIER_DAY,
    NO_LATER_DAY,
    ActiveCustomerCell,
    ActiveCustomerDay,
    ChannelDay,
    City,
    CityJoinLedger,
    CityLedger,
    CustomerJoinDay,
    FeedbackDay,
    LedgerSpan,
    ProductLedger,
    SalesDay,
)
from analytics.rollups.active import ALL, REACH_SQL
from analytics.rollups.cohorts import cells_from_ordered, cohort_write
from analytics.rollups.ledger import RECENT_DAYS
from catalog.models import Product
from core.dates import earliest_date, latest_date
from feedback.models import Feedback
from sales.models import Sale

T = {
    "sale": Sale._meta.db_table, "product": Product._meta.db_table, "customer": Customer._meta.db_table,
    "feedback": Feedback._meta.db_table, "salesday": SalesDay._meta.db_table,
    "channelday": ChannelDay._meta.db_table,
    "feedbackday": FeedbackDay._meta.db_table, "joinday": CustomerJoinDay._meta.db_table,
    "cityjoinledger": CityJoinLedger._meta.db_table,
    "city": City._meta.db_table, "productledger": ProductLedger._meta.db_table,
    "cityledger": CityLedger._meta.db_table, "activeday": ActiveCustomerDay._meta.db_table,
    "activecell": ActiveCustomerCell._meta.db_table, "ledgerspan": LedgerSpan._meta.db_table,
}
NONE = NO_EARLIER_DAY.isoformat()
LATEST = NO_LATER_DAY.isoformat()
COMPLETED = Sale.Status.COMPLETED.value
CENTS = "CAST(ROUND({col} * 100) AS INTEGER)"
# The Monday on or before a 'YYYY-MM-DD' day (strftime %w: Sunday = 0).
MONDAY = "date({day}, '-' || ((CAST(strftime('%w', {day}) AS INTEGER) + 6) % 7) || ' days')"

DAY_ROWS = [
    f"""INSERT INTO {T['salesday']} (day, category, revenue_cents, orders, units)
        SELECT substr(s.sold_at, 1, 10), p.category, SUM({CENTS.format(col='s.total')}), COUNT(*),
               SUM(s.quantity)
        FROM {T['sale']} s JOIN {T['product']} p ON p.id = s.product_id
        WHERE s.status = '{COMPLETED}' GROUP BY 1, 2""",
    f"""INSERT INTO {T['channelday']} (day, category, channel, revenue_cents, orders, units)
        SELECT substr(s.sold_at, 1, 10), p.category, s.channel, SUM({CENTS.format(col='s.total')}), COUNT(*),
               SUM(s.quantity)
        FROM {T['sale']} s JOIN {T['product']} p ON p.id = s.product_id
        WHERE s.status = '{COMPLETED}' GROUP BY 1, 2, 3""",
    f"""INSERT INTO {T['feedbackday']} (day, category, count, rating_sum,
                                        rating_1, rating_2, rating_3, rating_4, rating_5)
        SELECT substr(f.created_at, 1, 10), p.category, COUNT(*), SUM(f.rating),
               SUM(f.rating = 1), SUM(f.rating = 2), SUM(f.rating = 3), SUM(f.rating = 4), SUM(f.rating = 5)
        FROM {T['feedback']} f JOIN {T['product']} p ON p.id = f.product_id GROUP BY 1, 2""",
    f"""INSERT INTO {T['joinday']} (day, customers)
        SELECT substr(joined_at, 1, 10), COUNT(*) FROM {T['customer']} GROUP BY 1""",
    f"""INSERT INTO {T['cityjoinledger']} (prefix, day, city, country, customers)
        SELECT 0, substr(joined_at, 1, 10), city, country, COUNT(*) FROM {T['customer']}
        GROUP BY 2, 3, 4 ORDER BY 2, 3, 4""",
    f"""INSERT INTO {T['city']} (city, country, customers, located, latitude_sum, longitude_sum)
        SELECT city, country, COUNT(*), SUM(latitude IS NOT NULL AND longitude IS NOT NULL),
               COALESCE(SUM(CASE WHEN longitude IS NOT NULL THEN latitude END), 0.0),
               COALESCE(SUM(CASE WHEN latitude IS NOT NULL THEN longitude END), 0.0)
        FROM {T['customer']} GROUP BY 1, 2""",
    f"""INSERT INTO {T['productledger']} (prefix, day, product_id, category,
                                          revenue_cents, units, orders, feedback, rating_sum)
        SELECT 0, r.day, r.product_id, p.category,
               SUM(r.revenue), SUM(r.units), SUM(r.orders), SUM(r.feedback), SUM(r.rating)
        FROM (SELECT substr(sold_at, 1, 10) AS day, product_id, {CENTS.format(col='total')} AS revenue,
                     quantity AS units, 1 AS orders, 0 AS feedback, 0 AS rating
              FROM {T['sale']} WHERE status = '{COMPLETED}'
              UNION ALL
              SELECT substr(created_at, 1, 10), product_id, 0, 0, 0, 1, rating FROM {T['feedback']}) r
        JOIN {T['product']} p ON p.id = r.product_id
        GROUP BY r.day, r.product_id ORDER BY r.day, r.product_id""",
    # Sales and feedback by the buyer's city, per category and (category ALL) in every category.
    f"""INSERT INTO {T['cityledger']} (prefix, day, city, country, category, revenue_cents, orders, units,
                                       feedback, rating_sum)
        SELECT 0, r.day, c.city, c.country, CASE WHEN s.every THEN '{ALL}' ELSE p.category END,
               SUM(r.revenue), SUM(r.orders), SUM(r.units),
               SUM(r.feedback), SUM(r.rating)
        FROM (SELECT substr(sold_at, 1, 10) AS day, customer_id, product_id,
                     {CENTS.format(col='total')} AS revenue, 1 AS orders, quantity AS units,
                     0 AS feedback, 0 AS rating
              FROM {T['sale']} WHERE status = '{COMPLETED}'
              UNION ALL
              SELECT substr(created_at, 1, 10), customer_id, product_id, 0, 0, 0, 1, rating
              FROM {T['feedback']}) r
        JOIN {T['customer']} c ON c.id = r.customer_id
        JOIN {T['product']} p ON p.id = r.product_id
        CROSS JOIN (SELECT 0 AS every UNION ALL SELECT 1) s
        GROUP BY 2, 3, 4, 5 ORDER BY 2, 3, 4, 5""",
    f"""INSERT INTO {T['activeday']} (scope, customer_id, day, prev_day, next_day, sales, sales_to_date,
                                      cents_to_date, day_number, span)
        SELECT *, {REACH_SQL} FROM (
        SELECT scope, customer_id, day, COALESCE(LAG(day) OVER w, '{NONE}') AS prev_day,
               COALESCE(LEAD(day) OVER w, '{LATEST}') AS next_day, sales, SUM(sales) OVER w, SUM(revenue) OVER w
        FROM (SELECT '{ALL}' AS scope, customer_id, substr(sold_at, 1, 10) AS day, COUNT(*) AS sales,
                     SUM({CENTS.format(col='total')}) AS revenue
              FROM {T['sale']} WHERE status = '{COMPLETED}' GROUP BY 2, 3
              UNION ALL
              SELECT p.category, s.customer_id, substr(s.sold_at, 1, 10), COUNT(*), SUM({CENTS.format(col='s.total')})
              FROM {T['sale']} s JOIN {T['product']} p ON p.id = s.product_id
              WHERE s.status = '{COMPLETED}' GROUP BY 1, 2, 3)
        WINDOW w AS (PARTITION BY scope, customer_id ORDER BY day))""",
    f"""INSERT INTO {T['activecell']} (scope, day, prev_month, customers)
        SELECT scope, day,
               CASE WHEN prev_day = '{NONE}' THEN prev_day ELSE substr(prev_day, 1, 8) || '01' END, COUNT(*)
        FROM {T['activeday']} GROUP BY 1, 2, 3""",
]


# Every completed sale, for the cohort cells' one pass (analytics.rollups.cohorts). Read in table order and
# sorted by (customer, day) in Python: faster than walking the (customer, sold_at) index to every row.
COHORT_SALES = f"""
    SELECT s.customer_id, substr(s.sold_at, 1, 10), p.category, s.channel, {CENTS.format(col='s.total')}
    FROM {T['sale']} s JOIN {T['product']} p ON p.id = s.product_id WHERE s.status = '{COMPLETED}'"""


def _cohort_cells(cursor) -> None:
    cursor.execute(COHORT_SALES)
    # The driver makes new strings for every cell: one object per distinct day, category and channel
    # instead (a few thousand in all) holds the 1M sales of the large seed in about a third of the
    # memory (400 MB as fetched: the largest part of a rebuild's peak).
    shared, sales = {}, []
    keep = shared.setdefault
    while chunk := cursor.fetchmany(50_000):
        sales.extend([(c, keep(d, d), keep(k, k), keep(h, h), v) for c, d, k, h, v in chunk])
    # By the whole row: (customer, day) first, as the cells need them; no key tuple per sale. The order
    # of one customer's sales on one day changes no cell (analytics.rollups.cohorts.cells_from_ordered).
    sales.sort()

    def insert(model, names, rows):
        columns = ", ".join(model._meta.get_field(name).column for name in names)
        with connection.cursor() as writer:
            writer.executemany(  # rows as they come: no second list of the cells
                f"INSERT INTO {model._meta.db_table} ({columns}) VALUES ({', '.join('%s' for _ in names)})",
                (tuple(v.isoformat() if isinstance(v, dt.date) else v for v in row) for row in rows),
            )

    cells = cells_from_ordered(sales)
    del sales  # before the rows are made: their memory serves those
    cohort_write(cells, insert=insert)


def _prefix_rows(table: str, keys: list[str], fields: list[str], window: tuple[dt.date, dt.date]) -> str:
    """Prefix rows for every key and Monday from the first day's to the one after the last day, both
    taken inside the window of sane dates (a record stored out of it never spans centuries of weeks)."""
    earliest, latest = (f"'{day.isoformat()}'" for day in window)
    key_list = ", ".join(keys)
    on = " AND ".join(f"w.{k} = k.{k}" for k in keys)
    sums = ", ".join(f"SUM({f}) AS {f}" for f in fields)
    running = ", ".join(f"COALESCE(SUM(w.{f}) OVER running, 0)" for f in fields)
    return f"""
        INSERT INTO {table} (prefix, day, {key_list}, {", ".join(fields)})
        WITH RECURSIVE
            span(first, last) AS (
                SELECT {MONDAY.format(day=f'MAX(MIN(day), {earliest})')},
                       date({MONDAY.format(day=f'MIN(MAX(day), {latest})')}, '+7 days')
                FROM {table} WHERE prefix = 0),
            mondays(monday) AS (
                SELECT first FROM span WHERE first IS NOT NULL
                UNION ALL SELECT date(monday, '+7 days') FROM mondays, span WHERE monday < span.last),
            k AS (SELECT DISTINCT {key_list} FROM {table} WHERE prefix = 0),
            w AS (SELECT {key_list}, {MONDAY.format(day='day')} AS monday, {sums}
                  FROM {table} WHERE prefix = 0 GROUP BY {key_list}, monday)
        SELECT 1, m.monday, {", ".join(f"k.{k}" for k in keys)}, {running}
        FROM k CROSS JOIN mondays m LEFT JOIN w ON {on} AND w.monday = m.monday
        WINDOW running AS (PARTITION BY {", ".join(f"k.{k}" for k in keys)} ORDER BY m.monday
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        ORDER BY m.monday, {", ".join(f"k.{k}" for k in keys)}"""


def _span_row(model) -> str:
    """The LedgerSpan row of ``model``'s prefix rows just written (none when it has none): two ordered
    reads of its (day, prefix, …) unique index, which the load keeps."""
    table, days = model._meta.db_table, f"SELECT day FROM {model._meta.db_table} WHERE prefix = 1 ORDER BY day"
    recent = RECENT_DAYS.days
    return f"""
        INSERT INTO {T['ledgerspan']} ("ledger", "first", "last", "keys", "day_rows_per_day")
        SELECT '{model._meta.label_lower}', s.first, s.last,
               (SELECT count(*) FROM {table} WHERE prefix = 1 AND day = s.last),
               (SELECT count(*) FROM {table} WHERE prefix = 0 AND day >= date(s.last, '-{recent} days')
                AND day < s.last) / {recent}.0
        FROM (SELECT ({days} LIMIT 1) AS first, ({days} DESC LIMIT 1) AS last) AS s
        WHERE EXISTS (SELECT 1 FROM {table} WHERE prefix = 1)"""


def _statements() -> list[str]:
    window = (earliest_date(), latest_date())
    return DAY_ROWS + [
        _prefix_rows(T["productledger"], ["product_id", "category"],
                     ["revenue_cents", "units", "orders", "feedback", "rating_sum"], window),
        _prefix_rows(T["cityledger"], ["city", "country", "category"],
                     ["revenue_cents", "orders", "units", "feedback", "rating_sum"], window),
        _prefix_rows(T["cityjoinledger"], ["city", "country"], ["customers"], window),
        *(_span_row(model) for model in (ProductLedger, CityLedger, CityJoinLedger)),
    ]


BULK_LOADED = (ProductLedger, CityLedger, CityJoinLedger, ActiveCustomerDay, ActiveCustomerCell)


def rebuild_sqlite(*, progress) -> None:
    """Run inside the caller's transaction, after the rollup tables were emptied.

    The big tables' secondary indexes are dropped for the load and built again after: one sort per
    index instead of millions of random B-tree inserts. (Unique constraints live inside SQLite's
    CREATE TABLE and stay; the statements insert in their order.)
    """
    editor = connection.schema_editor()  # only to render CREATE INDEX statements, never entered
    with connection.cursor() as cursor:
        for model in BULK_LOADED:
            for index in model._meta.indexes:
                cursor.execute(f"DROP INDEX IF EXISTS {editor.quote_name(index.name)}")
        for statement in progress(_statements()):
            cursor.execute(statement)
        _cohort_cells(cursor)
        for model in BULK_LOADED:
            for index in model._meta.indexes:
                cursor.execute(str(index.create_sql(model, editor)))
