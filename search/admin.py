from django.contrib import admin

from search.models import PendingUpdate


@admin.register(PendingUpdate)
class PendingUpdateAdmin(admin.ModelAdmin):
    """Read-only view of deferred index updates (`manage.py search_index --drain` applies them)."""

    list_display = ["record_type", "record_id", "cascade", "attempts", "last_error", "updated_at"]
    list_filter = ["record_type"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
