"""Settings shared by every mode.

This module is the one place that reads the environment; every variable has a default
that makes the embedded mode (SQLite + tantivy under DATA_DIR) work. The README lists them.
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def _env(name, default=""):
    return os.environ.get(name, default).strip()


def _env_bool(name, default=False):
    value = _env(name, "1" if default else "0").lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}.")


def _env_int(name, default):
    value = _env(name, str(default))
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}.") from None


# --- Environment ---------------------------------------------------------------------------
DATA_DIR = Path(_env("DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # first run: SQLite needs the folder to exist
DEBUG = _env_bool("DEBUG", default=True)
SECRET_KEY = _env("SECRET_KEY") or "django-insecure-local-development-only"
ALLOWED_HOSTS = [h.strip() for h in _env("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
# Production behind TLS (redirect to https, Secure cookies, trust X-Forwarded-Proto); the local
# Docker Compose stack sets 0 to serve production settings over plain http://localhost.
SECURE_HTTPS = _env_bool("SECURE_HTTPS", default=True)
CSRF_TRUSTED_ORIGINS = [o.strip() for o in _env("CSRF_TRUSTED_ORIGINS").split(",") if o.strip()]
MONGODB_URI = _env("MONGODB_URI")
MONGODB_NAME = _env("MONGODB_NAME")
# Write migrations for MongoDB without a server (Django's dummy engine; see README).
MONGODB_OFFLINE = _env_bool("MONGODB_OFFLINE")
SEARCH_BACKEND = _env("SEARCH_BACKEND").lower()
ELASTICSEARCH_URL = _env("ELASTICSEARCH_URL")
ELASTICSEARCH_INDEX_PREFIX = _env("ELASTICSEARCH_INDEX_PREFIX", "ecommerce")
KIBANA_URL = _env("KIBANA_URL").rstrip("/")
API_THROTTLE_ANON = _env("API_THROTTLE_ANON", "60/min")
API_THROTTLE_USER = _env("API_THROTTLE_USER", "1200/min")
API_MAX_PAGE_SIZE = _env_int("API_MAX_PAGE_SIZE", 500)
LOG_LEVEL = _env("LOG_LEVEL", "INFO").upper()
CURRENCY = _env("CURRENCY", "USD").upper()  # ISO 4217 code the pages format money in

# --- Records: SQLite under DATA_DIR, or MongoDB when MONGODB_URI is set ----------------------
USING_MONGODB = bool(MONGODB_URI)

if USING_MONGODB:
    from pymongo.uri_parser import parse_uri as _parse_mongo_uri

    try:
        _uri_database = _parse_mongo_uri(MONGODB_URI)["database"]
    except Exception as exc:  # pymongo raises InvalidURI / ConfigurationError
        raise ImproperlyConfigured(f"MONGODB_URI is not a valid MongoDB URI: {exc}") from exc
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.dummy" if MONGODB_OFFLINE else "django_mongodb_backend",
            "HOST": MONGODB_URI,
            "NAME": MONGODB_NAME or _uri_database or "ecommerce_analytics",
        }
    }
    DEFAULT_AUTO_FIELD = "django_mongodb_backend.fields.ObjectIdAutoField"
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "db.sqlite3",
            "OPTIONS": {
                # WAL lets the dev server read while seed_data or an import writes.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
    DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Contrib apps get ObjectId primary keys on MongoDB through their own configs;
# our AppConfigs leave default_auto_field alone so DEFAULT_AUTO_FIELD decides.
_CONTRIB_APPS = (
    [
        "ecommerce_analytics.mongo_apps.MongoAdminConfig",
        "ecommerce_analytics.mongo_apps.MongoAuthConfig",
        "ecommerce_analytics.mongo_apps.MongoContentTypesConfig",
    ]
    if USING_MONGODB
    else ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes"]
)

INSTALLED_APPS = [
    *_CONTRIB_APPS,
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "accounts",
    "catalog",
    "sales",
    "feedback",
    # Ours before django_elasticsearch_dsl so our search_index command wins the name.
    "search",
    "django_elasticsearch_dsl",
]

if USING_MONGODB:
    # Every app (contrib and ours) keeps a second migration set written for ObjectId keys.
    MIGRATION_MODULES = {
        label: f"mongo_migrations.{label}"
        for label in (
            "admin", "auth", "contenttypes", "sessions", "authtoken",
            "accounts", "catalog", "sales", "feedback", "search",
        )
    }

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "ecommerce_analytics.urls"
WSGI_APPLICATION = "ecommerce_analytics.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ecommerce_analytics.context_processors.product",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "ecommerce_analytics": {"level": LOG_LEVEL},
        "search": {"level": LOG_LEVEL},
        "elastic_transport": {"level": "WARNING"},
    },
}

from .api import *  # noqa: E402,F401,F403
from .search import *  # noqa: E402,F401,F403
