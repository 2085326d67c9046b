"""The weekly trends digest (``manage.py trends_digest``): the week's changes against the week before
with the categories that moved them most, the week's unusual days, and next week's forecast.

"The week" is the 7 days up to the last day with a completed sale. Contributors are the categories'
own changes (this week's revenue or orders minus last week's, SalesDay rows grouped by category), so
they sum to the shop's change; ``share`` is a contributor's part of that change.
"""

import datetime as dt

from django.db.models import Sum

from analytics import fits
from analytics.figures.common import day_filter
from analytics.figures.periods import change
from analytics.figures.trends import FIT_NAME, MODEL, day_links, fit_trends
from analytics.models import SalesDay
from core.filters import DateRange

WEEK = dt.timedelta(days=7)
TOP = 3
MEASURES = {"revenue": "revenue_cents", "orders": "orders"}


def week_by_category(week: DateRange) -> dict[str, dict[str, float]]:
    """category → {"revenue" (money), "orders"} over ``week``: one range-first grouped read."""
    rows = (SalesDay.objects.filter(**day_filter("day", week)).values("category")
            .annotate(**{name: Sum(field) for name, field in MEASURES.items()}))
    return {r["category"]: {"revenue": (r["revenue"] or 0) / 100, "orders": r["orders"] or 0} for r in rows}


def contributors(this: dict, previous: dict, measure: str) -> list[dict]:
    """Per category: value now, before, the difference and its share of the total difference;
    largest moves first."""
    total = sum(v[measure] for v in this.values()) - sum(v[measure] for v in previous.values())
    rows = []
    for category in sorted(set(this) | set(previous)):
        now, before = this.get(category, {}).get(measure, 0), previous.get(category, {}).get(measure, 0)
        if now or before:
            rows.append({"category": category, "value": round(now, 2), "previous": round(before, 2),
                         "difference": round(now - before, 2),
                         "share": round((now - before) / total, 4) if total else None})
    rows.sort(key=lambda r: (-abs(r["difference"]), r["category"]))
    return rows


def fresh_trends() -> dict:
    """The whole shop's fit for the rollups as they are now (a command may wait for it)."""
    return fits.fresh(FIT_NAME, "", lambda: fit_trends(None))


def build_digest() -> dict:
    """Everything the digest says, as plain data (the command renders it as text and HTML)."""
    fit = fresh_trends()
    if not fit["last_actual"]:
        return {"empty": True}
    last = dt.date.fromisoformat(fit["last_actual"])
    this_week = DateRange(last - WEEK + dt.timedelta(days=1), last)
    previous_week = DateRange(this_week.start - WEEK, this_week.start - dt.timedelta(days=1))
    this, previous = week_by_category(this_week), week_by_category(previous_week)
    changes = []
    for measure in MEASURES:
        now, before = sum(v[measure] for v in this.values()), sum(v[measure] for v in previous.values())
        moved = contributors(this, previous, measure)
        changes.append({
            "measure": measure, "value": round(now, 2), "previous": round(before, 2),
            "difference": round(now - before, 2), "change": change(now, before),
            "up": [r for r in moved if r["difference"] > 0][:TOP],
            "down": [r for r in moved if r["difference"] < 0][:TOP],
        })
    unusual = [{**a, **day_links(a["date"], a["series"], None)} for a in fit["anomalies"]
               if this_week.start.isoformat() <= a["date"] <= this_week.end.isoformat()]
    next_week = {}
    for measure, series in fit["series"].items():
        days = series["points"][:7]
        next_week[measure] = {
            "days": days,
            "total": round(sum(p["point"] for p in days), 2),
            # The sum of the daily bounds: as wide as if every day's error had the same sign (a safe
            # upper bound on the week's interval; the days' errors are positively correlated).
            "lower_80": round(sum(p["lower_80"] for p in days), 2),
            "upper_80": round(sum(p["upper_80"] for p in days), 2),
        }
    return {"empty": False, "week": this_week, "previous_week": previous_week, "changes": changes,
            "anomalies": unusual, "next_week": next_week, "model": MODEL}


def _amount(measure: str, value: float) -> str:
    return f"{value:,.2f}" if measure == "revenue" else f"{value:,.0f}"


def _signed(measure: str, value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "") + _amount(measure, abs(value))


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f}%"


def presented(digest: dict, *, base_url: str) -> dict:
    """The digest with every number as the text and the HTML show it, links made absolute."""
    if digest["empty"]:
        return digest
    changes = []
    for c in digest["changes"]:
        m = c["measure"]

        def movers(rows, m=m):
            return [{"category": r["category"], "difference": _signed(m, r["difference"]),
                     "share": "n/a" if r["share"] is None else f"{r['share']:.0%}"} for r in rows]

        changes.append({"label": m.capitalize(), "value": _amount(m, c["value"]),
                        "previous": _amount(m, c["previous"]), "difference": _signed(m, c["difference"]),
                        "change": _percent(c["change"]), "up": movers(c["up"]), "down": movers(c["down"])})
    unusual = [{"date": a["date"], "series": a["series"], "direction": a["direction"],
                "value": _amount(a["series"], a["value"]), "expected": _amount(a["series"], a["expected"]),
                "relative": _percent(None if a["relative"] is None else a["relative"] * 100),
                "sales_url": base_url + a["sales_url"], "explain_url": base_url + a["explain_url"]}
               for a in digest["anomalies"]]
    forecast = [{"label": m.capitalize(), "total": _amount(m, f["total"]),
                 "lower_80": _amount(m, f["lower_80"]), "upper_80": _amount(m, f["upper_80"]),
                 "days": [{"period": p["period"], "point": _amount(m, p["point"]),
                           "lower_80": _amount(m, p["lower_80"]), "upper_80": _amount(m, p["upper_80"])}
                          for p in f["days"]]}
                for m, f in digest["next_week"].items()]
    week, previous = digest["week"], digest["previous_week"]
    return {"empty": False, "week": f"{week.start} – {week.end}", "previous_week": f"{previous.start} – {previous.end}",
            "changes": changes, "anomalies": unusual, "forecast": forecast, "model": digest["model"],
            "subject": f"Trends digest, week {week.start} – {week.end}"}
