from django.contrib import admin

from catalog.admin import ProductCategoryFilter
from core.admin import ServiceAdmin
from feedback.filters import FeedbackFilter
from feedback.models import Feedback
from feedback.services import FEEDBACK_FIELDS, feedback_create, feedback_delete, feedback_update


@admin.register(Feedback)
class FeedbackAdmin(ServiceAdmin):
    list_display = ["created_at", "product", "customer", "rating", "comment"]
    list_filter = ["rating", ProductCategoryFilter, "created_at"]
    list_select_related = ()  # attached per page instead (see ServiceAdmin)
    related_on_page = ("product", "customer")
    date_hierarchy = "created_at"
    search_fields = ["comment"]  # shows the box; the search itself is FeedbackFilter's
    search_filterset = FeedbackFilter
    search_help_text = "Comment; product name, SKU or brand; customer name, email or city."
    autocomplete_fields = ["customer", "product"]
    ordering = ["-created_at"]

    def create(self, data):
        return feedback_create(**{k: v for k, v in data.items() if k in FEEDBACK_FIELDS})

    def update(self, instance, data):
        return feedback_update(feedback=instance, data=data)

    def delete(self, instance):
        feedback_delete(feedback=instance)
