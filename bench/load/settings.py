"""bench/load.sh's settings: the app's, plus one bare JSON view to compare against."""

from ecommerce_analytics.settings import *  # noqa: F401,F403

ROOT_URLCONF = "urls"
