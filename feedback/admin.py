from django.contrib import admin

from ecommerce_analytics.admin import ServiceAdmin
from feedback.models import Feedback
from feedback.services import FEEDBACK_FIELDS, feedback_create, feedback_delete, feedback_update


@admin.register(Feedback)
class FeedbackAdmin(ServiceAdmin):
    list_display = ["created_at", "product", "customer", "rating", "comment"]
    list_filter = ["rating", "product__category", "created_at"]
    list_select_related = ["product", "customer"]
    date_hierarchy = "created_at"
    search_fields = ["comment", "product__name", "customer__name", "customer__email"]
    autocomplete_fields = ["customer", "product"]
    ordering = ["-created_at"]

    def create(self, data):
        return feedback_create(**{k: v for k, v in data.items() if k in FEEDBACK_FIELDS})

    def update(self, instance, data):
        return feedback_update(feedback=instance, data=data)

    def delete(self, instance):
        feedback_delete(feedback=instance)
