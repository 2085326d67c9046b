"""The dashboard: KPI cards and charts from ``analytics.figures`` (the same registry the JSON API serves),
so a chart shows exactly what ``/api/analytics/<figure>/`` returns for the same filters."""

from urllib.parse import urlencode

from django.shortcuts import render
from django.urls import reverse

from analytics.figures.cached import figure_cached
from analytics.figures.explain import EXPLAINABLE
from analytics.figures.shared import kept_categories, together
from analytics.rollups.version import version_token
from core.page_cache import cached_page
from core.pages import PageFilters, filter_bar, page_filters, reader_required

DASHBOARD_FIGURES = (
    "kpis", "revenue_over_time", "revenue_by_category", "top_products", "rating_distribution",
    "average_rating_over_time", "new_customers_over_time", "sales_by_city", "quantity_vs_rating",
    "customer_map",
)

# (key in kpis, label, number format for the page's script)
KPI_CARDS = (
    ("revenue", "Revenue", "money"),
    ("orders", "Orders", "count"),
    ("units", "Units sold", "count"),
    ("average_order_value", "Average order value", "money"),
    ("active_customers", "Active customers", "count"),
    ("new_customers", "New customers", "count"),
    ("average_rating", "Average rating", "rating"),
)


@reader_required
@cached_page  # after the login and permission check; per browser (core.page_cache)
def dashboard(request):
    filters = page_filters(request, compare=True)
    # Every figure below is cached by the rollups' version token: it moves whenever the counter does (the
    # token is never behind it), and reading it costs no database query.
    version = version_token()
    previous = filters.date_range.compared(filters.compare)
    with together(filters.date_range, previous):  # the series and the KPIs: one day read per rollup
        figures = {
            name: figure_cached(name, version=version, date_range=filters.date_range, category=filters.category)
            for name in DASHBOARD_FIGURES if name != "kpis"
        }
        kpis = figure_cached("kpis", version=version, date_range=filters.date_range, category=filters.category,
                             compare=filters.compare)
    cards = [
        {"key": key, "label": label, "format": fmt, "explainable": key in EXPLAINABLE, **kpis[key]}
        for key, label, fmt in KPI_CARDS
    ]
    return render(request, "dashboard.html", {
        **filter_bar(request, filters, categories=kept_categories()),
        "kpi_cards": cards,
        "previous_range": previous,
        "figures": figures,
        "drill": drill_links(filters),
        "explain": explain_context(filters),
    })


def explain_context(filters: PageFilters) -> dict:
    """What static/app/explain.js needs: the API, the filters to send, each card's dimensions."""
    return {
        "url": reverse("analytics-api:explain"),
        "params": {**filters.params(), "compare": filters.compare},
        "dimensions": {figure: list(dims) for figure, dims in EXPLAINABLE.items()},
    }


def drill_links(filters: PageFilters) -> dict:
    """Where a click on a chart goes; static/app/charts.js adds the category, city or product id."""
    placeholder = "00000000"
    dates = filters.range_params()
    return {
        "category": f"{reverse('sales:sale-list')}?{urlencode(dates)}",
        "product": reverse("catalog:product-detail", args=[placeholder]).replace(placeholder, "{id}")
        + (f"?{urlencode(dates)}" if dates else ""),
        # Customers of a city, whenever they joined (the users page's dates filter the join date).
        "city": reverse("accounts:customer-list"),
    }


