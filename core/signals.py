"""What the write services announce, so derived data (rollups, the search index) can follow.

Domain apps never import the layers that keep derived data; those subscribe in their
``AppConfig.ready()``. One mechanism for every record type:

- ``record_changed``: sent by ``core.services`` inside the write's transaction, once per created,
  updated or deleted record. ``sender`` is the model class; kwargs ``old`` (the row as stored
  before, None on create), ``new`` (as saved, None on delete) and ``fields`` (the names an update
  changed, None on create and delete). A receiver that must not see rolled-back writes defers its
  work with ``transaction.on_commit``.
- ``records_seeded``: sent by seed_data after rows were written in bulk (which bypasses the
  services), once the data is committed. kwargs: ``counts={"customers": n, ...}``, ``cleared``.
"""

from django.dispatch import Signal

record_changed = Signal()
records_seeded = Signal()
