"""Test settings: fast hashing, no throttling surprises, everything under a throw-away DATA_DIR."""

import atexit
import shutil
import tempfile
from pathlib import Path

from .base import *  # noqa: F401,F403

# Never touch a developer's ./var index: each test run gets its own folder.
SEARCH_INDEX_DIR = Path(tempfile.mkdtemp(prefix="ecommerce-search-test-"))

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A database file in WAL mode, as in production, rather than Django's shared-cache memory
    # database: there one connection's write locks its tables against every other connection's read
    # (SQLITE_LOCKED, which no busy timeout waits out), so a page the browser polled while the
    # Import page's background thread rebuilt the rollups failed with "database table is locked".
    # In memory (/dev/shm) where there is one, so commits cost what they do in RAM.
    _shm = Path("/dev/shm")
    _test_db_dir = Path(tempfile.mkdtemp(prefix="ecommerce-test-db-", dir=_shm if _shm.is_dir() else None))
    atexit.register(shutil.rmtree, _test_db_dir, ignore_errors=True)
    DATABASES["default"]["TEST"] = {"NAME": str(_test_db_dir / "test.sqlite3")}  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
SHARED_STORE = Path(tempfile.mkdtemp(prefix="ecommerce-shared-test-")) / "shared.sqlite3"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders, as in development (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
IMPORTS_RUN_INLINE = True  # the page's jobs run in the request, inside the test's transaction
# Off: the tests' factories write past the services, so nothing moves the data version the cached API
# responses are kept by; tests/test_response_cache.py (and search's) turn it on.
API_RESPONSE_CACHE_ENTRIES = 0
FITS_REFRESH = "inline"  # the forecast refits in the request, inside the test's transaction (analytics.fits)
