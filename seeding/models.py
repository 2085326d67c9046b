"""The one row seed_data keeps: a marker saying a seed is being written (seeding.generate.guard)."""

from django.db import models


class SeedRun(models.Model):
    """Written and committed before a seed writes anything, deleted once it has all gone in.

    While it exists the records may be half written; a run that finds one from a process that is gone
    undoes that run first (``guard.undo``). ``cleared``: that run was replacing existing records.
    """

    started_at = models.DateTimeField()
    cleared = models.BooleanField(default=False)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()

    class Meta:
        db_table = "seeding_seedrun"

    def __str__(self) -> str:
        return f"seed run of pid {self.pid} on {self.host} since {self.started_at:%Y-%m-%d %H:%M:%S}"
