"""seed_data's records_seeded signal rebuilds the rollups, so figures see bulk-inserted rows."""

import datetime as dt

import pytest

from analytics.figures import FIGURES
from analytics.models import ProductLedger, SalesDay
from core.filters import DateRange
from core.signals import records_seeded
from sales.tests.factories import SaleFactory
from tests.oracles.oracle import DIRECT_FIGURES

pytestmark = pytest.mark.django_db


def test_records_seeded_rebuilds_the_rollups():
    for day in (3, 11, 24):
        SaleFactory(sold_at=dt.datetime(2025, 3, day, 12, tzinfo=dt.timezone.utc), quantity=day)
    assert not SalesDay.objects.exists()
    records_seeded.send(sender=None, counts={"sales": 3}, cleared=False)
    assert ProductLedger.objects.filter(prefix=True).exists()
    for date_range in (DateRange(), DateRange(dt.date(2025, 3, 4), dt.date(2025, 3, 24))):
        for name in ("kpis", "revenue_over_time", "top_products", "sales_by_city"):
            assert FIGURES[name](date_range=date_range) == DIRECT_FIGURES[name](date_range=date_range)
    assert FIGURES["kpis"](date_range=DateRange())["units"]["value"] == 38
