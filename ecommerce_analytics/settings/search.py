"""Search settings: which backend, and the Elasticsearch connection (values read in env)."""

from django.core.exceptions import ImproperlyConfigured

from .env import DATA_DIR, ELASTICSEARCH_INDEX_PREFIX, ELASTICSEARCH_URL
from .env import SEARCH_BACKEND as _REQUESTED_BACKEND

SEARCH_BACKENDS = ("embedded", "elasticsearch")
if _REQUESTED_BACKEND and _REQUESTED_BACKEND not in SEARCH_BACKENDS:
    raise ImproperlyConfigured(
        f"SEARCH_BACKEND must be one of {', '.join(SEARCH_BACKENDS)}; got {_REQUESTED_BACKEND!r}."
    )
SEARCH_BACKEND = _REQUESTED_BACKEND or ("elasticsearch" if ELASTICSEARCH_URL else "embedded")
if SEARCH_BACKEND == "elasticsearch" and not ELASTICSEARCH_URL:
    raise ImproperlyConfigured("SEARCH_BACKEND=elasticsearch needs ELASTICSEARCH_URL.")

SEARCH_INDEX_DIR = DATA_DIR / "search"

ELASTICSEARCH_DSL = {"default": {"hosts": ELASTICSEARCH_URL or "http://127.0.0.1:9200"}}
# Our search app keeps the index in step after commit (with retry when the engine is down),
# so django-elasticsearch-dsl's own save signals stay off.
ELASTICSEARCH_DSL_AUTOSYNC = False
ELASTICSEARCH_DSL_SIGNAL_PROCESSOR = "django_elasticsearch_dsl.signals.BaseSignalProcessor"
ELASTICSEARCH_DSL_INDEX_PREFIX = ELASTICSEARCH_INDEX_PREFIX
