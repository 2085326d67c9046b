"""Production settings: served by gunicorn behind TLS, static files by whitenoise.

``manage.py check --deploy --settings=ecommerce_analytics.settings.production`` is clean
once SECRET_KEY and ALLOWED_HOSTS are set in the environment.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import SECRET_KEY, SECURE_HTTPS

DEBUG = False

if SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("Set SECRET_KEY in the environment for production (50+ random characters).")

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
if SECURE_HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
else:
    # Plain HTTP on purpose (SECURE_HTTPS=0, the local compose stack): no proxy sets the header,
    # so a client must not be able to claim https with it; silence the warnings this implies.
    SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W012", "security.W016"]

WHITENOISE_USE_FINDERS = False  # collectstatic has put the hashed files in STATIC_ROOT
