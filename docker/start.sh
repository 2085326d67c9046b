#!/bin/sh
# The app container's command: bring the database, demo data and search index up to date
# (each step does nothing when already done, so restarts are quick), then serve with gunicorn.
# Settings: gunicorn.conf.py (threaded workers, keep-alive; WEB_CONCURRENCY workers, set in the Dockerfile). No control socket: its default
# place ($HOME/.gunicorn) is read-only in the image, and nothing here uses gunicornc.
set -eu

python manage.py migrate --no-input
python manage.py seed_data --size medium --if-empty
python manage.py search_index --rebuild --if-missing -f
python manage.py collectstatic --no-input --verbosity 0

exec gunicorn -c gunicorn.conf.py ecommerce_analytics.wsgi:application --bind 0.0.0.0:8000 --access-logfile - --no-control-socket
