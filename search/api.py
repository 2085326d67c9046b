"""/api/search/ and /api/search/autocomplete/ (JSON, analysts and staff)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from core.api.cache import CachedReadMixin
from search.backends import SearchResults, SearchUnavailable
from search.forms import AutocompleteForm, SearchForm
from search.permissions import IsAnalystOrStaff
from search.selectors import search_records, search_suggestions
from search.serializers import AutocompleteResponseSerializer, SearchResponseSerializer, query_parameters


UNAVAILABLE = OpenApiResponse(
    response=inline_serializer("SearchUnavailable", {"detail": serializers.CharField()}),
    description="The search engine is down or the index is not built yet (`detail` says which)."
)


def _page_url(request, page: int) -> str:
    params = request.query_params.copy()
    params["page"] = str(page)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def results_data(results: SearchResults, request) -> dict:
    q = results.query
    return {
        "count": results.count,
        "page": q.page,
        "page_size": q.page_size,
        "num_pages": results.num_pages,
        "next": _page_url(request, q.page + 1) if results.has_next else None,
        "previous": _page_url(request, q.page - 1) if results.has_previous else None,
        "results": [
            {
                "type": hit.type,
                "id": hit.id,
                "title": hit.title,
                "url": hit.url,
                "snippets": hit.snippets,
                "score": hit.score,
                "date": hit.date.isoformat() if hit.date else None,
                "category": hit.category,
                "price": hit.price,
                "rating": hit.rating,
            }
            for hit in results.hits
        ],
        "facets": {
            name: [{"value": value, "count": n} for value, n in counts.items()]
            for name, counts in results.facets.items()
        },
    }


class SearchAPIView(CachedReadMixin, APIView):
    """``?q=`` across customers, products, sales and feedback, with filters, facets, sorting and paging."""

    permission_classes = [IsAuthenticated, IsAnalystOrStaff]

    @extend_schema(
        parameters=query_parameters(SearchForm), responses={200: SearchResponseSerializer, 503: UNAVAILABLE}
    )
    def get(self, request):
        unknown = SearchForm.unknown_parameters(
            request.query_params, also=(api_settings.URL_FORMAT_OVERRIDE,)
        )
        if unknown:
            return Response(unknown, status=400)
        form = SearchForm(request.query_params)
        if not form.is_valid():
            return Response(form.errors, status=400)
        try:
            results = search_records(query=form.to_query())
        except SearchUnavailable as exc:
            return Response({"detail": str(exc)}, status=503)
        return Response(results_data(results, request))


class AutocompleteAPIView(CachedReadMixin, APIView):
    """``?q=`` as typed: up to ``limit`` customers and products whose title has the words.

    The last word counts as a prefix ("noise canc" finds "Noise Cancelling Headphones").
    """

    permission_classes = [IsAuthenticated, IsAnalystOrStaff]

    @extend_schema(
        parameters=query_parameters(AutocompleteForm),
        responses={200: AutocompleteResponseSerializer, 503: UNAVAILABLE},
    )
    def get(self, request):
        form = AutocompleteForm(request.query_params)
        if not form.is_valid():
            return Response(form.errors, status=400)
        d = form.cleaned_data
        try:
            suggestions = search_suggestions(
                text=d["q"], types=d.get("type") or (), limit=d.get("limit") or 8
            )
        except SearchUnavailable as exc:
            return Response({"detail": str(exc)}, status=503)
        return Response(
            {
                "suggestions": [
                    {"type": s.type, "id": s.id, "text": s.text, "html": s.html, "url": s.url}
                    for s in suggestions
                ]
            }
        )
