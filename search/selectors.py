"""Reads: run a search or an autocomplete on the configured backend."""

from collections.abc import Iterable

from search import records
from search.backends import SearchQuery, SearchResults, Suggestion, get_search_backend

AUTOCOMPLETE_TYPES = (records.CUSTOMER, records.PRODUCT)


def search_records(*, query: SearchQuery) -> SearchResults:
    """Hits for one page, the total count and facet counts (type, category, rating)."""
    return get_search_backend().search(query)


def search_suggestions(*, text: str, types: Iterable[str] = (), limit: int = 8) -> list[Suggestion]:
    """As-you-type suggestions: customers and products (or ``types``) whose title has the typed words."""
    return get_search_backend().autocomplete(text, types=tuple(types) or AUTOCOMPLETE_TYPES, limit=limit)
