"""Which KPI can be explained by which dimension, what kind of figure each is, and why the rest cannot."""

DIMENSIONS = ("category", "channel", "country", "city", "product")
PLACES = ("country", "city")
EXPLAINABLE = {
    "revenue": DIMENSIONS,
    "orders": DIMENSIONS,
    "units": DIMENSIONS,
    "average_order_value": DIMENSIONS,
    "average_rating": ("category", "country", "city", "product"),
    "active_customers": PLACES,
    "new_customers": PLACES,
}
# (numerator, denominator) of each ratio, and the additive KPIs' one field.
RATIOS = {"average_order_value": ("revenue_cents", "orders"), "average_rating": ("rating_sum", "feedback")}
ADDITIVE = {
    "revenue": "revenue_cents", "orders": "orders", "units": "units", "active_customers": "customers",
    "new_customers": "customers",
}
# What the card's number is in, and how many of the parts' integers make one.
UNITS = {
    "revenue": ("money", 100),
    "orders": ("count", 1),
    "units": ("count", 1),
    "average_order_value": ("money", 100),
    "average_rating": ("rating", 100),
    "active_customers": ("count", 1),
    "new_customers": ("count", 1),
}
# The KPI cards whose number ignores the category filter (customers have none).
NO_CATEGORY = {"new_customers"}

UNKNOWN_EXPLAIN_FIGURE = "Unknown figure. Explainable: {names}."
UNKNOWN_DIMENSION = "Unknown dimension. Choose one of: {names}."
NOT_EXPLAINABLE = "{figure} cannot be explained by {dimension}: {reason}. Choose one of: {names}."
NO_RATING_CHANNEL = "feedback is not given through a sales channel (it carries none)"
CUSTOMERS_BUY_IN_SEVERAL = (
    "one customer buys in several {dimensions}, so the parts would count them more than once and not "
    "add up to the card"
)
CUSTOMERS_HAVE_NONE = "a customer joins the shop, not a {dimension}, so no {dimension} has a part of the card"
_PLURAL = {"category": "categories", "channel": "channels", "product": "products"}
WHY_NOT = {
    ("average_rating", "channel"): NO_RATING_CHANNEL,
    **{("active_customers", d): CUSTOMERS_BUY_IN_SEVERAL.format(dimensions=p) for d, p in _PLURAL.items()},
    **{("new_customers", d): CUSTOMERS_HAVE_NONE.format(dimension=d) for d in _PLURAL},
}


def dimension_error(figure: str, dimension: str) -> tuple[str, str] | None:
    """(field, message) when ``figure`` / ``dimension`` cannot be explained, else None."""
    if figure not in EXPLAINABLE:
        return "figure", UNKNOWN_EXPLAIN_FIGURE.format(names=", ".join(EXPLAINABLE))
    if dimension not in DIMENSIONS:
        return "dimension", UNKNOWN_DIMENSION.format(names=", ".join(DIMENSIONS))
    if dimension not in EXPLAINABLE[figure]:
        names = ", ".join(EXPLAINABLE[figure])
        reason = WHY_NOT[(figure, dimension)]
        message = NOT_EXPLAINABLE.format(figure=figure, dimension=dimension, reason=reason, names=names)
        return "dimension", message
    return None
