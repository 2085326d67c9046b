"""Settings for the docker compose stack: the production settings, served over plain HTTP on localhost.

docker-compose.yml runs gunicorn with no TLS proxy in front, so production's HTTPS-only parts
(redirect to https, Secure cookies, trusting X-Forwarded-Proto) would lock a browser out of
http://localhost:8000. Behind a real TLS proxy, use ``ecommerce_analytics.settings.production``.
"""

from ecommerce_analytics.settings.production import *  # noqa: F401,F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No proxy sets this header here, so a client must not be able to claim https with it.
SECURE_PROXY_SSL_HEADER = None

# The three deploy-check warnings that follow from serving plain HTTP on purpose.
SILENCED_SYSTEM_CHECKS = ["security.W008", "security.W012", "security.W016"]
