"""The lifetime-value page (/users/value/): the fit and its quality, and the customers ranked by
predicted value, "valuable and slipping" first."""

from django.shortcuts import render
from django.urls import reverse

from analytics.customer_value import NO_FIT, SLIP_DROP, SLIP_WINDOW_DAYS, customer_value_fit_get, customer_value_list
from analytics.customer_value.tables import TABLE
from core.pages import PageFilters, datatable_json, reader_required, table_context

SHOW_ALL = "all"


def _filters(request) -> PageFilters:
    """Slipping customers unless the page has ``show=all``; the table and CSV links it gives carry
    ``slipping=false`` for that (the list's own parameter)."""
    everyone = request.GET.get("show") == SHOW_ALL or request.GET.get("slipping") == "false"
    return PageFilters(extra={"slipping": "false" if everyone else "true"})


@reader_required
def customer_value_page(request):
    fit = customer_value_fit_get()
    filters = _filters(request)
    context = {"fit": fit, "show_all": filters.extra["slipping"] == "false", "slip_points": round(SLIP_DROP * 100),
               "slip_days": SLIP_WINDOW_DAYS, "no_fit": NO_FIT}
    if fit is not None:
        context |= {
            "slipping_count": customer_value_list(filters={"slipping": "true"}).count(),
            "table": table_context(table=TABLE, url=reverse("accounts:customer-value-table"), filters=filters),
        }
    return render(request, "customer_value.html", context)


@reader_required
def customer_value_table(request):
    return datatable_json(request, table=TABLE, filters=_filters(request))
