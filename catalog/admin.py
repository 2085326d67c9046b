from django.contrib import admin

from catalog.models import Product
from catalog.selectors import category_list, product_ids_in_category
from catalog.services import PRODUCT_FIELDS, product_create, product_delete, product_update
from core.admin import ServiceAdmin


class ProductCategoryFilter(admin.SimpleListFilter):
    """Category of the record's product, filtered through the product ids (no join)."""

    title = "category"
    parameter_name = "category"

    def lookups(self, request, model_admin):
        return [(category, category) for category in category_list()]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(product_id__in=product_ids_in_category(self.value()))
        return queryset


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
