"""Sales analytics: the figures the dashboard and the API share (see ecommerce_analytics.figures)."""

from sales.analytics.figures import (
    quantity_vs_rating,
    revenue_by_category,
    revenue_over_time,
    sales_by_city,
    sales_totals,
    top_products,
    units_revenue_per_month,
)
from sales.analytics.kpis import kpis
from sales.analytics.summaries import customer_summary, product_summary

__all__ = [
    "customer_summary", "kpis", "product_summary", "quantity_vs_rating", "revenue_by_category",
    "revenue_over_time", "sales_by_city", "sales_totals", "top_products", "units_revenue_per_month",
]
