"""Every figure computed straight from the records: slow, obviously right. The tests hold the
rollup-backed figures (analytics.figures.FIGURES) to these, name for name."""

from collections import Counter

from django.db.models import Count, Sum

from analytics.figures.catalog import price_spread_by_category
from analytics.figures.common import LATEST, datetime_filter
from analytics.figures.kpis import compare_kpis, kpi_values
from analytics.figures.periods import money, rating
from catalog.models import Product
from core.filters import DateRange
from tests.oracles import cohorts as cohorts_direct
from tests.oracles import customers as accounts_direct
from tests.oracles import feedback as feedback_direct
from tests.oracles import maps as maps_direct
from tests.oracles import sales as sales_direct
from tests.oracles import segments as segments_direct
from tests.oracles import trends as trends_direct


def direct_kpi_values(*, date_range: DateRange, category: str | None = None) -> dict:
    return kpi_values(
        totals=sales_direct.sales_totals(date_range=date_range, category=category),
        new_customers=accounts_direct.new_customers(date_range=date_range),
        average_rating=feedback_direct.average_rating(date_range=date_range, category=category),
    )


def kpis(*, date_range: DateRange, category: str | None = None, compare: str = "previous") -> dict:
    return compare_kpis(direct_kpi_values, date_range=date_range, category=category, compare=compare)


def products_per_category(*, date_range: DateRange, category: str | None = None) -> dict:
    """Counted in Python from every product row created in range."""
    products = Product.objects.filter(**datetime_filter("created_at", date_range))
    counts = Counter(c for c in products.values_list("category", flat=True) if not category or c == category)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return {"rows": [{"category": name, "products": n} for name, n in rows]}


def product_summary(*, product_id, date_range: DateRange) -> dict:
    """analytics.figures.product_summary from the Sale and Feedback rows."""
    sales = sales_direct.completed_sales(date_range=date_range, product_id=product_id).aggregate(
        revenue=Sum("total"), orders=Count("pk"), units=Sum("quantity"),
    )
    feedback = feedback_direct.feedback_in(date_range=date_range, product_id=product_id)
    ratings = feedback.aggregate(total=Sum("rating"), count=Count("pk"))
    latest = feedback.order_by("-created_at", "-pk").values(
        "pk", "customer_id", "rating", "comment", "created_at",
    )
    return {
        "totals": {
            "revenue": money(sales["revenue"]), "orders": sales["orders"], "units": sales["units"] or 0,
            "feedback": ratings["count"],
            "average_rating": rating(ratings["total"] / ratings["count"]) if ratings["count"] else None,
        },
        "sales": sales_direct.sales_series(date_range=date_range, product_id=product_id),
        "ratings": feedback_direct.rating_series(date_range=date_range, product_id=product_id),
        "latest_feedback": [
            {
                "id": str(row["pk"]), "customer_id": str(row["customer_id"]), "rating": row["rating"],
                "comment": row["comment"], "created_at": row["created_at"].isoformat(),
            }
            for row in latest[:LATEST]
        ],
    }


DIRECT_FIGURES = {
    "kpis": kpis,
    "revenue_over_time": sales_direct.revenue_over_time,
    "revenue_by_category": sales_direct.revenue_by_category,
    "top_products": sales_direct.top_products,
    "rating_distribution": feedback_direct.rating_distribution,
    "average_rating_over_time": feedback_direct.average_rating_over_time,
    "new_customers_over_time": accounts_direct.new_customers_over_time,
    "sales_by_city": sales_direct.sales_by_city,
    "quantity_vs_rating": sales_direct.quantity_vs_rating,
    "customers_per_city": accounts_direct.customers_per_city,
    "price_spread_by_category": price_spread_by_category,  # reads the products directly already
    "units_revenue_per_month": sales_direct.units_revenue_per_month,
    "feedback_per_month": feedback_direct.feedback_per_month,
    "products_per_category": products_per_category,
    "average_rating_per_product": sales_direct.average_rating_per_product,
    "customer_map": maps_direct.customer_map,
    "forecast": trends_direct.forecast,
    "anomalies": trends_direct.anomalies,
    "cohort_retention": cohorts_direct.cohort_retention,
    "repeat_purchase": cohorts_direct.repeat_purchase,
    "rfm_segments": segments_direct.rfm_segments,
    "segment_movement": segments_direct.segment_movement,
}
