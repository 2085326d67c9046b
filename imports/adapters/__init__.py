"""Adapters from other shops' file layouts to the import format (``import_data --format NAME``);
each module's ``rows(stream)`` yields ``(line, row)`` like ``imports.reading``."""
