"""seed_data's flags are validated before anything is touched."""

import datetime as dt

import pytest

from seeding.generate import SeedOptionError, build_plan
from seeding.generate.options import (
    CAPS,
    DEFAULT_SEED,
    NEEDS_USERS_AND_PRODUCTS,
    NOT_A_NUMBER,
    SIZES,
    UNTIL_IN_FUTURE,
    UNTIL_NOT_A_DATE,
)

TODAY = dt.date(2026, 11, 26)


def test_defaults_are_the_small_size_the_fixed_seed_and_today():
    plan = build_plan(today=TODAY)
    assert plan.counts == {"customers": 1_000, "products": 200, "sales": 10_000, "feedback": 2_000}
    assert (plan.seed, plan.until) == (DEFAULT_SEED, TODAY)


def test_sizes_and_overrides():
    assert SIZES["large"] == {"users": 100_000, "products": 10_000, "sales": 1_000_000, "feedback": 200_000}
    plan = build_plan(today=TODAY, size="medium", sales="5", feedback=0, seed="9", until=" 2026-06-30 ")
    assert (plan.users, plan.products, plan.sales, plan.feedback) == (10_000, 1_000, 5, 0)
    assert (plan.seed, plan.until) == (9, dt.date(2026, 6, 30))


def test_caps_are_inclusive():
    plan = build_plan(today=TODAY, **{flag: cap for flag, cap in CAPS.items()})
    assert plan.sales == CAPS["sales"] == 10_000_000
    with pytest.raises(SeedOptionError, match="capped"):
        build_plan(today=TODAY, users=CAPS["users"] + 1)


@pytest.mark.parametrize("value", [True, 1.0, "1e3", "", "٣"])
def test_counts_must_be_plain_whole_numbers(value):
    with pytest.raises(SeedOptionError) as error:
        build_plan(today=TODAY, users=value)
    assert str(error.value) == NOT_A_NUMBER.format(flag="users", value=value)


def test_an_empty_catalogue_is_fine_without_sales_or_feedback():
    plan = build_plan(today=TODAY, users=0, products=0, sales=0, feedback=0)
    assert sum(plan.counts.values()) == 0
    with pytest.raises(SeedOptionError) as error:
        build_plan(today=TODAY, products=0, sales=0, feedback=3)
    assert str(error.value) == NEEDS_USERS_AND_PRODUCTS.format(flag="feedback", value=3)


@pytest.mark.parametrize("value", ["2026-02-30", "20260630", "2026-W26-2", "2026-06-30T00:00",
                                   dt.datetime(2026, 6, 30)])
def test_until_must_be_a_plain_iso_date(value):
    with pytest.raises(SeedOptionError) as error:
        build_plan(today=TODAY, until=value)
    shown = str(value) if isinstance(value, dt.datetime) else value
    assert str(error.value) == UNTIL_NOT_A_DATE.format(value=shown)


def test_until_today_is_fine_and_tomorrow_is_not():
    assert build_plan(today=TODAY, until=TODAY).until == TODAY
    with pytest.raises(SeedOptionError) as error:
        build_plan(today=TODAY, until=TODAY + dt.timedelta(days=1))
    assert str(error.value) == UNTIL_IN_FUTURE.format(today=TODAY, value=TODAY + dt.timedelta(days=1))
