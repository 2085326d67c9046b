"""Index updates that could not be applied (engine down, writer busy): retried, then drained by
`manage.py search_index --drain`."""

from django.db import models


class PendingUpdate(models.Model):
    """One record whose search document must be brought in line with the database.

    Whether that means indexing or deleting is decided when it is applied (does the record still
    exist?), so one row per record is enough however many times it changed meanwhile.
    """

    record_type = models.CharField(max_length=16)
    record_id = models.CharField(max_length=64)
    # Also re-index the documents that copy this record's fields (a product's sales and feedback).
    cascade = models.BooleanField(default=False)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Set when this record itself cannot be indexed (not the engine being down): the drain sets it
    # aside with the reason instead of retrying it forever in front of the others. A new change to
    # the record clears it, so it is tried again.
    failed_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record_type", "record_id"], name="search_pending_one_per_record"
            ),
        ]

    def __str__(self):
        return f"{self.record_type}:{self.record_id}"


class IndexBuilt(models.Model):
    """A search index this database was indexed into: recorded when a build (or the first write into
    an existing index) completes, removed when the index is deleted on purpose.

    It lives in the database, outside the index, so that an index which was built but is now missing
    (its folder moved away, an Elasticsearch alias gone) is told apart from one never built: updates
    are queued in the first case (nothing is lost) and skipped in the second (the first build reads
    every record anyway).
    """

    backend = models.CharField(max_length=32, unique=True)
    built_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.backend} (built {self.built_at:%Y-%m-%d %H:%M})"
