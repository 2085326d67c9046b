"""Project-wide signals."""

from django.dispatch import Signal

# Sent by seed_data after rows were written in bulk (which bypasses model signals), inside
# nothing: the data is committed. Receivers (rollups, search) rebuild what derives from records.
# kwargs: counts={"customers": n, "products": n, "sales": n, "feedback": n}, cleared=bool
records_seeded = Signal()
