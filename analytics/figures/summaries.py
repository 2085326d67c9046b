"""One product's and one customer's numbers, for their record pages.

A customer's rows are few and indexed (customer, sold_at), so customer_summary reads them
directly; product_summary reads the product's ledger day rows.
"""

from django.db.models import Count, Sum

from analytics.figures.common import (
    LATEST,
    completed_sales,
    datetime_filter,
    day_filter,
    day_series,
    day_sums,
    product_names,
)
from analytics.figures.periods import cents_to_money, money, rating
from analytics.models import ProductLedger
from core.filters import DateRange
from feedback.models import Feedback
from sales.models import Sale


def product_summary(*, product_id, date_range: DateRange) -> dict:
    """Sales and feedback of one product in ``date_range``.

    Returns ``{"totals": {"revenue", "orders", "units", "feedback", "average_rating"},
    "sales": {"bucket", "points": [{"period", "revenue", "orders", "units"}]},
    "ratings": {"bucket", "points": [{"period", "average_rating", "count"}]},
    "latest_feedback": [{"id", "customer_id", "rating", "comment", "created_at"}] (10, newest first)}``.
    Sums come from the product's ledger day rows (a best seller has tens of thousands of sales).
    """
    days = ProductLedger.objects.filter(product_id=product_id, prefix=False, **day_filter("day", date_range))
    fields = ("orders", "revenue_cents", "units", "feedback", "rating_sum")
    per_day = day_sums(days, fields)  # one read for the totals and both series
    totals = {field: sum(row[field] for row in per_day) for field in fields}
    return {
        "totals": {
            "revenue": cents_to_money(totals["revenue_cents"]), "orders": totals["orders"],
            "units": totals["units"], "feedback": totals["feedback"],
            "average_rating": rating(totals["rating_sum"] / totals["feedback"]) if totals["feedback"] else None,
        },
        "sales": day_series(
            per_day, date_range=date_range, bucket=None, held="orders",
            sums={"revenue": "revenue_cents", "orders": "orders", "units": "units"},
            point=lambda row: {
                "revenue": cents_to_money(row["revenue"]), "orders": row["orders"], "units": row["units"],
            },
            zero={"revenue": 0.0, "orders": 0, "units": 0},
        ),
        "ratings": day_series(
            per_day, date_range=date_range, bucket=None, held="feedback",
            sums={"total": "rating_sum", "count": "feedback"},
            point=lambda row: {
                "average_rating": rating(row["total"] / row["count"]) if row["count"] else None,
                "count": row["count"],
            },
            zero={"average_rating": None, "count": 0},
        ),
        "latest_feedback": latest_feedback(product_id=product_id, date_range=date_range),
    }


def latest_feedback(*, product_id, date_range: DateRange) -> list[dict]:
    rows = (
        Feedback.objects.filter(product_id=product_id, **datetime_filter("created_at", date_range))
        .order_by("-created_at", "-pk").values("pk", "customer_id", "rating", "comment", "created_at")
    )
    return [
        {
            "id": str(row["pk"]), "customer_id": str(row["customer_id"]), "rating": row["rating"],
            "comment": row["comment"], "created_at": row["created_at"].isoformat(),
        }
        for row in rows[:LATEST]
    ]


def customer_summary(*, customer_id, date_range: DateRange) -> dict:
    """Orders and feedback of one customer in ``date_range``.

    Returns ``{"orders", "units", "revenue" (completed sales), "refunded" (refunded sales),
    "latest_orders": [{"id", "product_id", "product_name", "quantity", "total", "status", "sold_at"}],
    "latest_feedback": [{"id", "product_id", "product_name", "rating", "comment", "created_at"}]}``;
    latest lists hold 10 rows, newest first, refunded orders included.
    """
    totals = completed_sales(date_range=date_range, customer_id=customer_id).aggregate(
        revenue=Sum("total"), orders=Count("pk"), units=Sum("quantity"),
    )
    in_range = datetime_filter("sold_at", date_range)
    refunded = Sale.objects.filter(customer_id=customer_id, status=Sale.Status.REFUNDED, **in_range).count()
    orders = list(
        Sale.objects.filter(customer_id=customer_id, **in_range).order_by("-sold_at", "-pk")
        .values("pk", "product_id", "quantity", "total", "status", "sold_at")[:LATEST]
    )
    feedback = list(
        Feedback.objects.filter(customer_id=customer_id, **datetime_filter("created_at", date_range))
        .order_by("-created_at", "-pk").values("pk", "product_id", "rating", "comment", "created_at")[:LATEST]
    )
    names = product_names({row["product_id"] for row in orders + feedback})
    return {
        "orders": totals["orders"], "units": totals["units"] or 0, "revenue": money(totals["revenue"]),
        "refunded": refunded,
        "latest_orders": [
            {
                "id": str(row["pk"]), "product_id": str(row["product_id"]),
                "product_name": names[row["product_id"]][0], "quantity": row["quantity"],
                "total": money(row["total"]), "status": row["status"], "sold_at": row["sold_at"].isoformat(),
            }
            for row in orders
        ],
        "latest_feedback": [
            {
                "id": str(row["pk"]), "product_id": str(row["product_id"]),
                "product_name": names[row["product_id"]][0], "rating": row["rating"],
                "comment": row["comment"], "created_at": row["created_at"].isoformat(),
            }
            for row in feedback
        ],
    }
