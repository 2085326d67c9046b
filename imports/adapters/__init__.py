"""Adapters from other shops' file layouts to the import format (``import_data --format NAME``)."""

from . import cdnow

ADAPTERS = {"cdnow": cdnow.rows}
