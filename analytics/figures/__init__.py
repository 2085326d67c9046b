"""Every analytics figure by its URL-safe name: the dashboard pages and the JSON API both read here.

Each figure is ``fn(*, date_range: DateRange, category: str | None = None) -> dict`` returning plain
JSON types; its docstring names the keys. A figure may take more keyword filters (the customer
figures take ``channel``); the API accepts those it names (analytics.api.FIGURE_EXTRA_PARAMS). The functions live in this package's modules, one per subject.
"""

from collections.abc import Callable

from analytics.figures.catalog import price_spread_by_category, products_per_category
from analytics.figures.cohorts import cohort_retention, repeat_purchase
from analytics.figures.customers import customers_per_city, new_customers_over_time
from analytics.figures.feedback import average_rating_over_time, feedback_per_month, rating_distribution
from analytics.figures.kpis import kpis
from analytics.figures.maps import customer_map
from analytics.figures.sales import (
    average_rating_per_product,
    quantity_vs_rating,
    revenue_by_category,
    revenue_over_time,
    sales_by_city,
    top_products,
    units_revenue_per_month,
)
from analytics.figures.segments import rfm_segments, segment_movement
from analytics.figures.summaries import customer_summary, product_summary
from analytics.figures.trends import anomalies_figure, forecast_figure
from core.filters import DateRange

UNKNOWN_FIGURE = "Unknown figure: {name}."

FIGURES: dict[str, Callable[..., dict]] = {
    "kpis": kpis,
    "revenue_over_time": revenue_over_time,
    "revenue_by_category": revenue_by_category,
    "top_products": top_products,
    "rating_distribution": rating_distribution,
    "average_rating_over_time": average_rating_over_time,
    "new_customers_over_time": new_customers_over_time,
    "sales_by_city": sales_by_city,
    "quantity_vs_rating": quantity_vs_rating,
    "customers_per_city": customers_per_city,
    "price_spread_by_category": price_spread_by_category,
    "units_revenue_per_month": units_revenue_per_month,
    "feedback_per_month": feedback_per_month,
    "products_per_category": products_per_category,
    "average_rating_per_product": average_rating_per_product,
    "customer_map": customer_map,
    "forecast": forecast_figure,
    "anomalies": anomalies_figure,
    "cohort_retention": cohort_retention,
    "repeat_purchase": repeat_purchase,
    "rfm_segments": rfm_segments,
    "segment_movement": segment_movement,
}


def figure(name: str, *, date_range: DateRange, category: str | None = None) -> dict:
    """Compute one figure by name; raises ``KeyError`` (message UNKNOWN_FIGURE) for an unknown name."""
    try:
        fn = FIGURES[name]
    except KeyError:
        raise KeyError(UNKNOWN_FIGURE.format(name=name)) from None
    return fn(date_range=date_range, category=category)


__all__ = ["FIGURES", "UNKNOWN_FIGURE", "customer_summary", "figure", "product_summary"]
