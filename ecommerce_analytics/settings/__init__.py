"""Settings package: ``base`` is the default (embedded mode), ``test`` and ``production`` extend it."""

from .base import *  # noqa: F401,F403
