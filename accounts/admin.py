from django.contrib import admin

from accounts.models import Customer
from accounts.services import CUSTOMER_FIELDS, customer_create, customer_delete, customer_update
from core.admin import ServiceAdmin


@admin.register(Customer)
class CustomerAdmin(ServiceAdmin):
    list_display = ["name", "email", "city", "country", "joined_at"]
    list_filter = ["country", "joined_at"]
    date_hierarchy = "joined_at"
    search_fields = ["name", "email", "city"]
    ordering = ["-joined_at"]

    def create(self, data):
        return customer_create(**{k: v for k, v in data.items() if k in CUSTOMER_FIELDS})

    def update(self, instance, data):
        return customer_update(customer=instance, data=data)

    def delete(self, instance):
        customer_delete(customer=instance)
