"""gunicorn entry for bench/load.sh (settings: bench/load/settings.py)."""

from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()
