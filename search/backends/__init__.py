"""`get_search_backend()`: the configured backend (``settings.SEARCH_BACKEND``), one instance per process."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver

from search.backends.base import (  # noqa: F401 (re-exported)
    FACETS,
    SORTS,
    BaseSearchBackend,
    IndexMissing,
    SearchError,
    SearchHit,
    SearchQuery,
    SearchResults,
    SearchUnavailable,
    Suggestion,
)

BACKENDS = {
    "embedded": "search.backends.embedded.EmbeddedBackend",
    "elasticsearch": "search.backends.elasticsearch.ElasticsearchBackend",
}
UNKNOWN_BACKEND = "Unknown search backend {name!r}; choose one of: {choices}."

_backends: dict[str, BaseSearchBackend] = {}


def get_search_backend(name: str | None = None) -> BaseSearchBackend:
    name = (name or settings.SEARCH_BACKEND).lower()
    if name not in BACKENDS:
        raise ImproperlyConfigured(UNKNOWN_BACKEND.format(name=name, choices=", ".join(BACKENDS)))
    if name not in _backends:
        from django.utils.module_loading import import_string

        _backends[name] = import_string(BACKENDS[name])()
    return _backends[name]


@receiver(setting_changed)
def _forget_backends(*, setting, **kwargs):
    # Tests point SEARCH_INDEX_DIR or the Elasticsearch connection elsewhere.
    if setting.startswith("SEARCH_") or setting.startswith("ELASTICSEARCH"):
        _backends.clear()
