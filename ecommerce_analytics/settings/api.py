"""Django REST framework, django-filter and drf-spectacular settings (values come from env)."""

import re

from django.core.exceptions import ImproperlyConfigured

from core.api.docs import API_DESCRIPTION

from .env import API_MAX_PAGE_SIZE, API_RESPONSE_CACHE_ENTRIES, API_THROTTLE_ANON, API_THROTTLE_USER

# DRF reads the unit from the first letter: 60/s, 60/min, 1000/hour, 10000/day.
_RATE = re.compile(r"^\d+/(s|sec|second|m|min|minute|h|hour|d|day)$")
for _name, _rate in (("API_THROTTLE_ANON", API_THROTTLE_ANON), ("API_THROTTLE_USER", API_THROTTLE_USER)):
    if not _RATE.match(_rate):
        raise ImproperlyConfigured(f"{_name} must look like 60/min (per s, min, hour or day); got {_rate!r}.")
if API_MAX_PAGE_SIZE < 1:
    raise ImproperlyConfigured(f"API_MAX_PAGE_SIZE must be at least 1; got {API_MAX_PAGE_SIZE}.")
if API_RESPONSE_CACHE_ENTRIES < 0:
    raise ImproperlyConfigured(
        f"API_RESPONSE_CACHE_ENTRIES must be 0 (off) or more; got {API_RESPONSE_CACHE_ENTRIES}."
    )

# What a cached API response (core.api.cache) depends on besides its request: the rollups' version
# (every service write, every rollup rebuild) and the search index's (every update applied).
API_RESPONSE_CACHE_VERSIONS = [
    "analytics.rollups.version.version_token",
    "search.sync.index_version",
]

REST_FRAMEWORK = {
    # Token first: an anonymous request gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ThrottledTokenAuthentication",  # a bad token is throttled too
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.ReadAnalystsWriteStaff"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        # REST framework's, counted in one shared SQLite file (core.api.throttling).
        "core.api.throttling.AnonRateThrottle",
        "core.api.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": API_THROTTLE_ANON, "user": API_THROTTLE_USER},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "E-commerce Analytics API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and its assets from drf-spectacular-sidecar: /api/docs/ works offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # The 400/401/403/404/409/429 responses every operation can give (core.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "SaleChannelEnum": "sales.models.Sale.Channel",
        "SaleStatusEnum": "sales.models.Sale.Status",
    },
}
