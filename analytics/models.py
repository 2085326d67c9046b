"""Rollups: figures pre-summed per day (and per week for range sums by key), kept exact by the
write services and rebuilt after seeding. Money is in integer cents so sums never drift.

Ledgers (ProductLedger, CityLedger) hold two kinds of rows per key: day rows (``prefix=False``,
that day's totals) and, for every Monday of the rebuilt span, prefix rows (``prefix=True``, the
totals of every day before that Monday). A range then reads two prefix rows per key plus at
most seven days of day rows at each end, whatever its length (analytics.rollups.ledger).

The tables keep the names they had when these models lived in the sales app (``sales_*``), so a
database from before the move keeps its rows (migrations analytics 0001 and sales 0004).
"""

import datetime as dt

from django.db import models

# ActiveCustomerDay.prev_day / ActiveCustomerCell.prev_month when there is no earlier sale.
NO_EARLIER_DAY = dt.date(1, 1, 1)
# ActiveCustomerDay.next_day when there is no later sale.
NO_LATER_DAY = dt.date(9999, 12, 31)
# ActiveCustomerDay.span of a customer's last day (no later sale) and of gaps over 2 ** (SPAN_LONG - 1) days.
SPAN_LONG = 12


class SalesDay(models.Model):
    """Completed sales per UTC day and product category."""

    day = models.DateField()
    category = models.CharField(max_length=100)
    revenue_cents = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    units = models.BigIntegerField(default=0)

    class Meta:
        db_table = "sales_salesday"
        constraints = [models.UniqueConstraint(fields=["day", "category"], name="salesday_day_category")]


class ChannelDay(models.Model):
    """Completed sales per UTC day, product category and sales channel: what explains a change by
    channel (analytics.figures.explain). Days × categories × 4 channels: a few rows a day."""

    day = models.DateField()
    category = models.CharField(max_length=100)
    channel = models.CharField(max_length=16)
    revenue_cents = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    units = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "category", "channel"], name="channelday_key"),
        ]


class FeedbackDay(models.Model):
    """Feedback per UTC day and product category, with a count per rating."""

    day = models.DateField()
    category = models.CharField(max_length=100)
    count = models.BigIntegerField(default=0)
    rating_sum = models.BigIntegerField(default=0)
    rating_1 = models.BigIntegerField(default=0)
    rating_2 = models.BigIntegerField(default=0)
    rating_3 = models.BigIntegerField(default=0)
    rating_4 = models.BigIntegerField(default=0)
    rating_5 = models.BigIntegerField(default=0)

    class Meta:
        db_table = "sales_feedbackday"
        constraints = [models.UniqueConstraint(fields=["day", "category"], name="feedbackday_day_category")]


class CustomerJoinDay(models.Model):
    """Customers joined per UTC day."""

    day = models.DateField(unique=True)
    customers = models.BigIntegerField(default=0)

    class Meta:
        db_table = "sales_customerjoinday"


class CityJoinLedger(models.Model):
    """Customers joined per city: day rows and Monday prefix rows, like ProductLedger."""

    prefix = models.BooleanField()
    day = models.DateField()
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=100)
    customers = models.BigIntegerField(default=0)

    class Meta:
        db_table = "sales_cityjoinledger"
        constraints = [
            models.UniqueConstraint(fields=["day", "prefix", "city", "country"], name="cityjoinledger_key"),
        ]
        indexes = [
            models.Index(
                fields=["day", "prefix", "city", "country", "customers"], name="cityjoinledger_covering",
            ),
            models.Index(fields=["city", "country", "day"], condition=models.Q(prefix=True),
                         name="cityjoinledger_prefixes"),
        ]


class City(models.Model):
    """Customers per city with coordinate sums, for the mean position of a city on the map."""

    city = models.CharField(max_length=100)
    country = models.CharField(max_length=100)
    customers = models.BigIntegerField(default=0)
    located = models.BigIntegerField(default=0, help_text="Customers with both coordinates.")
    latitude_sum = models.FloatField(default=0)
    longitude_sum = models.FloatField(default=0)

    class Meta:
        db_table = "sales_city"
        verbose_name_plural = "cities"
        constraints = [models.UniqueConstraint(fields=["city", "country"], name="city_city_country")]


class ProductLedger(models.Model):
    """Completed sales and feedback per product: day rows and Monday prefix rows (see module doc)."""

    prefix = models.BooleanField()
    day = models.DateField()
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="+", db_index=False,
    )
    category = models.CharField(max_length=100)
    revenue_cents = models.BigIntegerField(default=0)
    units = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    feedback = models.BigIntegerField(default=0)
    rating_sum = models.BigIntegerField(default=0)

    class Meta:
        db_table = "sales_productledger"
        constraints = [
            models.UniqueConstraint(fields=["day", "prefix", "product"], name="productledger_key"),
        ]
        # No index may lead with product where a range read could use it: SQLite would then walk it
        # for GROUP BY product over every row instead of reading the range's few days from the
        # covering index. The partial one holds prefix rows only, which no range read asks for alone.
        indexes = [
            models.Index(
                fields=[
                    "day", "prefix", "category", "product", "revenue_cents", "units", "orders", "feedback",
                    "rating_sum",
                ],
                name="productledger_covering",
            ),
            models.Index(
                fields=["product", "day"], condition=models.Q(prefix=True), name="productledger_prefixes",
            ),
        ]


class CityLedger(models.Model):
    """Completed sales and feedback per buyer's city (the sale's or the feedback's customer's) and
    product category: day rows and Monday prefix rows. Category ``""`` holds every category's (a tenth
    of the rows to read when none is chosen). A customer who moves takes both to the new city."""

    prefix = models.BooleanField()
    day = models.DateField()
    city = models.CharField(max_length=100)
    country = models.CharField(max_length=100)
    category = models.CharField(max_length=100)
    revenue_cents = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    units = models.BigIntegerField(default=0)
    feedback = models.BigIntegerField(default=0)
    rating_sum = models.BigIntegerField(default=0)

    class Meta:
        db_table = "sales_cityledger"
        constraints = [
            models.UniqueConstraint(
                fields=["day", "prefix", "city", "country", "category"], name="cityledger_key",
            ),
        ]
        indexes = [
            models.Index(
                fields=["day", "prefix", "category", "city", "country", "revenue_cents", "orders", "units",
                        "feedback", "rating_sum"],
                name="cityledger_covering",
            ),
            models.Index(fields=["city", "country", "category", "day"], condition=models.Q(prefix=True),
                         name="cityledger_prefixes"),
        ]


class LedgerSpan(models.Model):
    """The first and last Monday with prefix rows of each ledger (``ledger``: the model's label), written
    by the rebuild with the rows, so a figure reads it by key. It was two ordered reads of the ledger
    itself, which a store that does not walk an index to sort (the SecantusDB test server) answered by
    sorting the whole collection (47 s each at the small seed when first run). Its estimates were two
    counts per ledger and range."""

    ledger = models.CharField(max_length=100, unique=True)
    first = models.DateField()
    last = models.DateField()
    # What LedgerRange weighs a mid-length range's two ways by (analytics.rollups.ledger): the keys with
    # prefix rows, and the day rows per day over the four weeks before ``last``, as the rebuild wrote them.
    keys = models.BigIntegerField(default=0)
    day_rows_per_day = models.FloatField(default=0.0)


class ActiveCustomerDay(models.Model):
    """A day on which a customer has completed sales, per scope ("" = all, else a category),
    linked to the customer's previous such day: a customer is counted once in a range, on its
    first day there, i.e. the day whose ``prev_day`` falls before the range."""

    scope = models.CharField(max_length=100)
    customer = models.ForeignKey(
        "accounts.Customer", on_delete=models.CASCADE, related_name="+", db_index=False,
    )
    day = models.DateField()
    prev_day = models.DateField()
    sales = models.BigIntegerField(default=0)
    # The customer's state after this day, for RFM as of any day E: the one row per customer with
    # day ≤ E < next_day holds their last sale day, their sales and revenue to date.
    next_day = models.DateField(default=NO_LATER_DAY)
    sales_to_date = models.BigIntegerField(default=0)
    cents_to_date = models.BigIntegerField(default=0)
    # Which rows hold the state on day E, read by a few index ranges instead of every row after (or
    # before) E: span c < SPAN_LONG means next_day − day ≤ 2 ** c days, so such a row holds E only if
    # E − 2 ** c < day ≤ E; rows of span SPAN_LONG are read by day ≤ E alone (analytics.rollups.active.
    # state_on). day_number is day.toordinal(), for ranges on integers and reads without date parsing.
    day_number = models.IntegerField(default=0)
    span = models.SmallIntegerField(default=SPAN_LONG)

    class Meta:
        db_table = "sales_activecustomerday"
        constraints = [
            models.UniqueConstraint(fields=["scope", "customer", "day"], name="activecustomerday_key"),
        ]
        indexes = [
            models.Index(fields=["scope", "prev_day", "day"], name="activecustomerday_prev"),
            # RFM as of E: one range of day_number per span, read from the index alone. Not partial on
            # scope "": SQLite cannot use a partial index when the scope arrives as a bound parameter.
            models.Index(fields=["scope", "span", "day_number", "next_day", "sales_to_date", "cents_to_date",
                                 "customer"], name="activecustomerday_span"),
        ]


class ActiveCustomerCell(models.Model):
    """How many ActiveCustomerDay rows share (scope, day, month of prev_day): counts the customers
    whose previous sale is months before a range without reading them one by one."""

    scope = models.CharField(max_length=100)
    day = models.DateField()
    prev_month = models.DateField()
    customers = models.BigIntegerField(default=0)

    class Meta:
        db_table = "sales_activecustomercell"
        constraints = [
            models.UniqueConstraint(fields=["scope", "day", "prev_month"], name="activecustomercell_key"),
        ]
        indexes = [
            models.Index(
                fields=["scope", "day", "prev_month", "customers"], name="activecustomercell_covering",
            ),
        ]


class CustomerValue(models.Model):
    """A customer's predicted value from the last ``clv_fit`` (analytics.customer_value): BG/NBD for
    repeat purchases, Gamma-Gamma for spend per order, fitted on the completed sales up to
    ``CustomerValueFit.calibration_end``. One row per customer who bought by then."""

    customer = models.OneToOneField("accounts.Customer", on_delete=models.CASCADE, related_name="+")
    repeat_orders = models.IntegerField(help_text="x: order days after the first, by the calibration end")
    recency_weeks = models.FloatField(help_text="t_x: weeks from the first to the last order day")
    age_weeks = models.FloatField(help_text="T: weeks from the first order day to the calibration end")
    average_repeat_order = models.DecimalField(max_digits=12, decimal_places=2)
    probability_alive = models.FloatField()
    expected_orders_90d = models.FloatField()
    predicted_value_12m = models.DecimalField(max_digits=14, decimal_places=2)
    # The same fit's P(alive) on the customer's history up to 90 days before the calibration end,
    # and the change since: the "valuable and slipping" list. Null for customers who first bought
    # within those 90 days (they have no earlier value to fall from).
    probability_alive_before = models.FloatField(null=True)
    probability_alive_change = models.FloatField(null=True)

    class Meta:
        indexes = [models.Index(fields=["-predicted_value_12m"], name="customervalue_value")]


class CustomerValueFit(models.Model):
    """The parameters and fit quality of the last ``clv_fit`` (one row)."""

    fitted_at = models.DateTimeField()
    calibration_end = models.DateField()
    customers = models.IntegerField()
    bgnbd = models.JSONField(help_text="r, alpha, a, b, log_likelihood")
    gamma_gamma = models.JSONField(help_text="p, q, gamma, log_likelihood, customers (with a repeat order)")
    holdout = models.JSONField(
        null=True, help_text="with --holdout-end: holdout_end, weeks, actual, predicted, conditional, weekly",
    )


class RollupVersion(models.Model):
    """A counter per name, bumped in the same transaction as every rollup write (the subscribers'
    and the rebuild's), so anything derived from the rollups (a fitted forecast in the cache) can
    key itself by the version it read and know when it is stale (analytics.fits)."""

    name = models.CharField(max_length=50, unique=True)
    version = models.BigIntegerField(default=0)

    class Meta:
        db_table = "analytics_rollupversion"


class CohortCell(models.Model):
    """Cohort retention: per scope (``category`` and ``channel``, "" = all), the customers whose first
    completed sale in that scope fell in month ``cohort`` and who bought (in scope) in month ``month``,
    their sales and revenue that month, and how many of them came back for the first time that month
    (``returned``: their second month with a sale). A few thousand rows per scope, whatever the customers;
    analytics.rollups.cohorts keeps them exact (a customer's cells move when their first month does)."""

    category = models.CharField(max_length=100)
    channel = models.CharField(max_length=16)
    cohort = models.DateField()
    month = models.DateField()
    customers = models.BigIntegerField(default=0)
    returned = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    revenue_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "channel", "cohort", "month"], name="cohortcell_key"),
        ]


class CohortWeekCell(models.Model):
    """CohortCell by ISO week instead of month: per scope, the customers whose first completed sale in
    that scope fell in the week starting Monday ``cohort`` and who bought (in scope) in the week starting
    Monday ``week``, their sales and revenue that week, and how many came back for the first time that
    week (``returned``: their second week with a sale). Weeks are UTC days, Monday to Sunday; kept exact
    by the same writes as CohortCell (analytics.rollups.cohorts)."""

    category = models.CharField(max_length=100)
    channel = models.CharField(max_length=16)
    cohort = models.DateField()
    week = models.DateField()
    customers = models.BigIntegerField(default=0)
    returned = models.BigIntegerField(default=0)
    orders = models.BigIntegerField(default=0)
    revenue_cents = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "channel", "cohort", "week"], name="cohortweekcell_key"),
        ]
        indexes = [
            # The scope's last week with a sale (every weekly row runs to it) from the end of one index range.
            models.Index(fields=["category", "channel", "week", "customers"], name="cohortweekcell_last"),
            # Covering: a scope's matrix (over 10k cells all time) from one index range, no row lookups
            # (SQLite: 22 ms by the index above, 8 ms from this one, at the large seed).
            models.Index(
                fields=["category", "channel", "cohort", "week", "customers", "returned", "orders", "revenue_cents"],
                name="cohortweekcell_cells",
            ),
        ]


# RepeatGapCell.bucket: days from a customer's first order day to their second, upper bounds inclusive.
GAP_BUCKETS = (7, 14, 30, 60, 90, 180, 365)
GAP_OVER = 366  # the bucket of gaps over a year


class RepeatGapCell(models.Model):
    """Per scope and first-purchase month: customers whose second order day came ``bucket`` days (a
    GAP_BUCKETS bound) after the first, and the sum of those gaps (an exact mean)."""

    category = models.CharField(max_length=100)
    channel = models.CharField(max_length=16)
    cohort = models.DateField()
    bucket = models.IntegerField()
    customers = models.BigIntegerField(default=0)
    gap_days = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "channel", "cohort", "bucket"], name="repeatgapcell_key"),
        ]
