"""The /search/ page: the same search as the API, rendered with facets and paging."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from search.backends import SearchUnavailable
from search.forms import SORT_LABELS, TYPE_LABELS, SearchForm
from search.permissions import is_analyst_or_staff
from search.selectors import search_records


def _url(request, **changes) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in changes.items():
        params.pop(key, None)
        if value is not None:
            params[key] = str(value)
    return f"?{params.urlencode()}"


def _facet_links(request, results) -> dict:
    links = {}
    for value, n in results.facets.get("type", {}).items():
        links.setdefault("Type", []).append(
            {"label": TYPE_LABELS.get(value, value), "count": n, "url": _url(request, type=value)}
        )
    for value, n in results.facets.get("category", {}).items():
        links.setdefault("Category", []).append(
            {"label": value, "count": n, "url": _url(request, category=value)}
        )
    for value, n in sorted(results.facets.get("rating", {}).items(), reverse=True):
        links.setdefault("Rating", []).append(
            {"label": f"{value} ★", "count": n, "url": _url(request, rating_min=value, rating_max=value)}
        )
    return links


@login_required
def search_page(request):
    if not is_analyst_or_staff(request.user):
        raise PermissionDenied
    form = SearchForm(request.GET or None)
    results = error = None
    if form.is_bound and form.is_valid():
        try:
            results = search_records(query=form.to_query())
        except SearchUnavailable as exc:
            error = str(exc)
    context = {
        "form": form,
        "results": results,
        "error": error,
        "facets": _facet_links(request, results) if results else {},
        "clear_url": _url(request, type=None, category=None, rating_min=None, rating_max=None),
        "sorts": [
            {
                "label": label,
                "url": _url(request, sort=key),
                "active": (request.GET.get("sort") or "relevance") == key,
            }
            for key, label in SORT_LABELS.items()
        ],
        "previous_url": _url(request, page=results.query.page - 1)
        if results and results.has_previous
        else None,
        "next_url": _url(request, page=results.query.page + 1) if results and results.has_next else None,
    }
    return render(request, "search/search.html", context)
