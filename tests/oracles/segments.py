"""RFM segments straight from the Sale rows, each score counted by bisecting the sorted values.
The oracle for analytics.figures.segments (its SEGMENT_MAP is the specification it shares)."""

import bisect
import datetime as dt
from collections import Counter
from decimal import Decimal

from analytics.figures.segments import NOT_YET, SEGMENT_MAP, SEGMENTS
from core.filters import DateRange, today
from sales.models import Sale


def states(as_of: dt.date) -> dict:
    """customer → (last sale day, sales, cents) over completed sales up to the end of ``as_of``."""
    until = dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min, tzinfo=dt.timezone.utc)
    found = {}
    for customer_id, sold_at, total in Sale.objects.filter(
        status=Sale.Status.COMPLETED, sold_at__lt=until,
    ).values_list("customer_id", "sold_at", "total"):
        day = sold_at.astimezone(dt.timezone.utc).date()
        last, n, cents = found.get(customer_id, (day, 0, 0))
        found[customer_id] = (max(last, day), n + 1, cents + int(Decimal(total) * 100))
    return found


def segments_of(as_of: dt.date) -> dict:
    found = states(as_of)
    n = len(found)
    columns = [sorted(state[i] for state in found.values()) for i in range(3)]
    result = {}
    for customer_id, state in found.items():
        r, f, m = (1 + 5 * bisect.bisect_left(columns[i], state[i]) // n for i in range(3))
        result[customer_id] = (SEGMENT_MAP[(f + m + 1) // 2][r - 1], state)
    return result


def rfm_segments(*, date_range: DateRange, category=None) -> dict:
    as_of = date_range.end or today()
    found = segments_of(as_of)
    n = len(found)
    sizes = Counter(segment for segment, _ in found.values())
    revenue = Counter()
    for segment, state in found.values():
        revenue[segment] += state[2]
    grid = Counter()
    states_ = states(as_of)
    columns = [sorted(state[i] for state in states_.values()) for i in range(3)]
    for state in states_.values():
        r, f, m = (1 + 5 * bisect.bisect_left(columns[i], state[i]) // n for i in range(3))
        grid[(r, (f + m + 1) // 2)] += 1
    return {
        "as_of": as_of.isoformat(), "customers": n,
        "segments": [
            {"segment": name, "customers": sizes[name], "share": round(sizes[name] / n, 4) if n else 0.0,
             "revenue": float(Decimal(revenue[name]) / 100)}
            for name in SEGMENTS
        ],
        "grid": [
            {"r": r, "fm": fm, "segment": SEGMENT_MAP[fm][r - 1], "customers": grid[(r, fm)]}
            for r in range(1, 6) for fm in range(1, 6)
        ],
        "category_applied": False,
    }


def segment_movement(*, date_range: DateRange, category=None) -> dict:
    end = date_range.end or today()
    start = date_range.start - dt.timedelta(days=1) if date_range.start else None
    before = {c: s for c, (s, _) in segments_of(start).items()} if start and start < end else {}
    moves = Counter((before.get(c, NOT_YET), s) for c, (s, _) in segments_of(end).items())
    return {
        "from": start.isoformat() if start else None, "to": end.isoformat(), "segments": list(SEGMENTS),
        "rows": [
            {"from": name, "to": {to: moves[(name, to)] for to in SEGMENTS},
             "customers": sum(moves[(name, to)] for to in SEGMENTS)}
            for name in (*SEGMENTS, NOT_YET)
        ],
        "category_applied": False,
    }
