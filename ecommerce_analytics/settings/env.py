"""The one place that reads the environment.

Every variable has a default that makes the embedded mode (SQLite + tantivy under DATA_DIR) work; the
README lists them. The other settings modules import these values and never read ``os.environ``.
"""

import datetime as dt
import hashlib
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


def _env_date(name, default):
    value = _env(name, default)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a date (YYYY-MM-DD), got {value!r}.") from None


# --- Environment ---------------------------------------------------------------------------
DATA_DIR = Path(_env("DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)  # first run: SQLite needs the folder to exist


def _default_cache_dir() -> Path:
    """In memory (tmpfs) where the system has one: every API request writes its throttle count, and
    on ext4 a file replaced by rename is flushed to disk first (about 3 ms a request). One folder
    per DATA_DIR; nothing in it needs to outlive a reboot (throttle counts, cached fits)."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        return shm / f"ecommerce-analytics-{hashlib.sha1(str(DATA_DIR).encode()).hexdigest()[:12]}"
    return DATA_DIR / "cache"


CACHE_DIR = Path(_env("CACHE_DIR") or _default_cache_dir()).resolve()
DEBUG = _env_bool("DEBUG", default=False)  # DEBUG=1 for development: tracebacks in the browser
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
# Safe API reads kept in each worker's memory by data version (core.api.cache); 0 turns it off.
API_RESPONSE_CACHE_ENTRIES = _env_int("API_RESPONSE_CACHE_ENTRIES", 512)
LOG_LEVEL = _env("LOG_LEVEL", "INFO").upper()
CURRENCY = _env("CURRENCY", "USD").upper()  # ISO 4217 code the pages format money in
# No date a person or program writes (joined, created, sold) may be earlier than this.
EARLIEST_DATE = _env_date("EARLIEST_DATE", "1900-01-01")
# Mail (trends_digest --email): printed to the console unless a real backend is named.
EMAIL_BACKEND = _env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = _env("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = _env("DEFAULT_FROM_EMAIL", "analytics@localhost")
