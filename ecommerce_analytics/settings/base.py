"""Settings shared by every mode; the values from the environment come from ``env`` (the one place
that reads it), ``api`` and ``search`` add the REST framework's and the search engine's settings."""

from django.core.exceptions import ImproperlyConfigured

from .env import (  # noqa: F401 (settings Django reads by name)
    ALLOWED_HOSTS,
    API_MAX_PAGE_SIZE,
    API_THROTTLE_ANON,
    API_THROTTLE_USER,
    BASE_DIR,
    CACHE_DIR,
    CSRF_TRUSTED_ORIGINS,
    CURRENCY,
    DATA_DIR,
    DEBUG,
    DEFAULT_FROM_EMAIL,
    EARLIEST_DATE,
    EMAIL_BACKEND,
    EMAIL_HOST,
    EMAIL_PORT,
    ELASTICSEARCH_INDEX_PREFIX,
    ELASTICSEARCH_URL,
    KIBANA_URL,
    LOG_LEVEL,
    MONGODB_NAME,
    MONGODB_OFFLINE,
    MONGODB_URI,
    SEARCH_BACKEND,
    SECRET_KEY,
    SECURE_HTTPS,
)

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

# One connection per worker process, kept between requests: opening one (with SQLite's pragmas) took
# about 1 ms of every request, more than the cached read of an API response. Checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = 600
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

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
    # Login lockout (see AXES_* below).
    "ecommerce_analytics.mongo_apps.MongoAxesConfig" if USING_MONGODB else "axes",
    # Ours, bottom layer first (README, Layout); analytics before search so that after seeding the
    # rollups are rebuilt before the index. core.api has no models: its config connects the signals
    # its remembered tokens follow (core.api.apps).
    "core.api.apps.ApiConfig",
    "accounts",
    "catalog",
    "sales",
    "feedback",
    "analytics",
    # Before django_elasticsearch_dsl so our search_index command wins the name.
    "search",
    "kibana",
    "pages",
    "seeding",
    "imports",
    "django_elasticsearch_dsl",
]

if USING_MONGODB:
    # Every app (contrib and ours) keeps a second migration set written for ObjectId keys.
    MIGRATION_MODULES = {
        label: f"mongo_migrations.{label}"
        for label in (
            "admin", "auth", "contenttypes", "sessions", "authtoken", "axes",
            "accounts", "catalog", "sales", "feedback", "analytics", "search", "seeding",
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
    # Turns a refused login into the lockout page.
    "axes.middleware.AxesMiddleware",
    # Innermost: a stored API answer to a token request or a cached page, replayed before URL
    # resolution (every other middleware handles it as it handles a computed one; core.replay).
    "core.replay.ReplayMiddleware",
]

# --- Login lockout (django-axes) --------------------------------------------------------------
# Every login form (the pages' /login/, the admin's, the API's session login under /api/auth/)
# authenticates through Django, so axes counts failures on all of them. Five failures for one
# username from one address lock that pair until `manage.py axes_reset` (README) clears it; other
# addresses and other users are not affected. A successful login resets the count.
AUTHENTICATION_BACKENDS = [
    "ecommerce_analytics.lockout.LockoutBackend",
    "core.auth.GroupsBackend",  # ModelBackend, the user read with their group names
]
AXES_FAILURE_LIMIT = 5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ecommerce_analytics.lockout.lockout_response"

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
                "core.context_processors.product",
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
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns on every start without it
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# whitenoise serves static files straight from the apps' folders (no collectstatic), with DEBUG off
# too; the production settings collect hashed files instead.
WHITENOISE_USE_FINDERS = True

# Files in CACHE_DIR (env.py: in memory where the system allows), shared by every gunicorn worker:
# cached figures and fits.
# Database sessions that keep their row's expiry (core.sessions: core.page_cache reads it).
SESSION_ENGINE = "core.sessions"
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": CACHE_DIR,
    }
}
# Beside them, one SQLite file (core.shared_store): the API throttles' counts (every worker counts in
# the same file, so N workers do not allow N times the configured rate) and the shared versions the
# workers' memories are keyed by (core.versions: data, search index, auth).
SHARED_STORE = CACHE_DIR / "shared.sqlite3"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "ecommerce_analytics": {"level": LOG_LEVEL},
        "analytics": {"level": LOG_LEVEL},
        "search": {"level": LOG_LEVEL},
        "elastic_transport": {"level": "WARNING"},
    },
}

from .api import *  # noqa: E402,F401,F403
from .search import *  # noqa: E402,F401,F403

# The Import page runs its checks and imports in a background thread; True runs them in the request.
IMPORTS_RUN_INLINE = False

# Forecast fits are refreshed in a background process (analytics.fits): "process", "thread" or "inline".
FITS_REFRESH = "process"
