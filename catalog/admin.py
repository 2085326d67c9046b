from django.contrib import admin

from catalog.models import Product
from catalog.services import PRODUCT_FIELDS, product_create, product_delete, product_update
from ecommerce_analytics.admin import ServiceAdmin


@admin.register(Product)
class ProductAdmin(ServiceAdmin):
    list_display = ["name", "sku", "category", "brand", "price", "active", "created_at"]
    list_filter = ["category", "active", "brand"]
    date_hierarchy = "created_at"
    search_fields = ["name", "sku", "brand"]
    ordering = ["name"]

    def create(self, data):
        return product_create(**{k: v for k, v in data.items() if k in PRODUCT_FIELDS})

    def update(self, instance, data):
        return product_update(product=instance, data=data)

    def delete(self, instance):
        product_delete(product=instance)
