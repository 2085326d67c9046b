"""What to seed: counts per record type, the random seed and the last day, validated up front.

Everything is checked here, before the command touches the database, so a bad flag never
clears or half-writes anything.
"""

import datetime as dt
import re
from dataclasses import dataclass

# (customers, products, sales, feedback) per --size.
SIZES = {
    "small": {"users": 1_000, "products": 200, "sales": 10_000, "feedback": 2_000},
    "medium": {"users": 10_000, "products": 1_000, "sales": 100_000, "feedback": 20_000},
    "large": {"users": 100_000, "products": 10_000, "sales": 1_000_000, "feedback": 200_000},
}
DEFAULT_SIZE = "small"
DEFAULT_SEED = 20240611
# Beyond these a typo (an extra zero or two) is more likely than intent; memory stays bounded.
CAPS = {"users": 2_000_000, "products": 100_000, "sales": 10_000_000, "feedback": 2_000_000}
MAX_SEED = 2**32 - 1
# --anomalies: planted days are at least a week apart on ordinary days (seeding.generate.anomalies).
MAX_ANOMALIES = 60
EARLIEST_UNTIL = dt.date(2000, 1, 1)

NOT_A_NUMBER = "--{flag} must be a whole number, got {value!r}."
NEGATIVE = "--{flag} cannot be negative, got {value}."
TOO_LARGE = "--{flag} is capped at {cap:,}, got {value:,}."
UNKNOWN_SIZE = "--size must be one of {choices}, got {value!r}."
BAD_SEED = "--seed must be a whole number from 0 to {max}, got {value!r}."
UNTIL_NOT_A_DATE = "--until must be a date as YYYY-MM-DD, got {value!r}."
UNTIL_IN_FUTURE = "--until cannot be after today ({today}, UTC), got {value}."
UNTIL_TOO_EARLY = "--until must be {earliest} or later, got {value}."
ANOMALIES_NEED_SALES = "--anomalies {value} needs sales to plant them in."
NEEDS_USERS_AND_PRODUCTS = "--{flag} {value:,} needs at least one user and one product."

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class SeedError(Exception):
    """Seeding cannot go ahead; the message says why (nothing has been written)."""


class SeedOptionError(SeedError, ValueError):
    """A flag value that cannot be seeded; the message names the flag."""


@dataclass(frozen=True)
class SeedPlan:
    users: int
    products: int
    sales: int
    feedback: int
    seed: int
    until: dt.date
    anomalies: int = 0  # planted spikes and drops (seed_data --anomalies)

    @property
    def counts(self) -> dict[str, int]:
        """Row counts keyed as the records_seeded signal names them."""
        return {"customers": self.users, "products": self.products, "sales": self.sales,
                "feedback": self.feedback}


def build_plan(
    *,
    today: dt.date,
    size: str | None = None,
    users=None,
    products=None,
    sales=None,
    feedback=None,
    seed=None,
    until=None,
    anomalies=None,
) -> SeedPlan:
    """Validate the flags (strings from the command line or values from call_command).

    Explicit counts override the size's; no size means ``small``. Raises SeedOptionError.
    """
    size = DEFAULT_SIZE if size is None else size
    if size not in SIZES:
        raise SeedOptionError(UNKNOWN_SIZE.format(choices=", ".join(SIZES), value=size))
    given = {"users": users, "products": products, "sales": sales, "feedback": feedback}
    counts = {
        flag: SIZES[size][flag] if value is None else _count(flag, value) for flag, value in given.items()
    }
    for flag in ("sales", "feedback"):
        if counts[flag] and not (counts["users"] and counts["products"]):
            raise SeedOptionError(NEEDS_USERS_AND_PRODUCTS.format(flag=flag, value=counts[flag]))
    planted = 0 if anomalies is None else _count("anomalies", anomalies, cap=MAX_ANOMALIES)
    if planted and not counts["sales"]:
        raise SeedOptionError(ANOMALIES_NEED_SALES.format(value=planted))
    return SeedPlan(**counts, seed=_seed(seed), until=_until(until, today=today), anomalies=planted)


def _whole_number(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if re.fullmatch(r"[+-]?[0-9]+", text) else None


def _count(flag: str, value, cap: int | None = None) -> int:
    number = _whole_number(value)
    if number is None:
        raise SeedOptionError(NOT_A_NUMBER.format(flag=flag, value=value))
    if number < 0:
        raise SeedOptionError(NEGATIVE.format(flag=flag, value=number))
    cap = CAPS[flag] if cap is None else cap
    if number > cap:
        raise SeedOptionError(TOO_LARGE.format(flag=flag, cap=cap, value=number))
    return number


def _seed(value) -> int:
    if value is None:
        return DEFAULT_SEED
    number = _whole_number(value)
    if number is None or not 0 <= number <= MAX_SEED:
        raise SeedOptionError(BAD_SEED.format(max=MAX_SEED, value=value))
    return number


def _until(value, *, today: dt.date) -> dt.date:
    if value is None:
        return today
    if isinstance(value, dt.datetime):
        raise SeedOptionError(UNTIL_NOT_A_DATE.format(value=str(value)))
    if isinstance(value, dt.date):
        day = value
    else:
        text = str(value).strip()
        try:
            day = dt.date.fromisoformat(text) if _ISO_DATE.fullmatch(text) else None
        except ValueError:
            day = None
        if day is None:
            raise SeedOptionError(UNTIL_NOT_A_DATE.format(value=value))
    if day > today:
        raise SeedOptionError(UNTIL_IN_FUTURE.format(today=today, value=day))
    if day < EARLIEST_UNTIL:
        raise SeedOptionError(UNTIL_TOO_EARLY.format(earliest=EARLIEST_UNTIL, value=day))
    return day
