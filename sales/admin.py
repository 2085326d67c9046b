from django.contrib import admin

from catalog.admin import ProductCategoryFilter
from core.admin import ServiceAdmin
from sales.filters import SaleFilter
from sales.models import Sale
from sales.services import SALE_FIELDS, sale_create, sale_delete, sale_refund, sale_update


@admin.register(Sale)
class SaleAdmin(ServiceAdmin):
    list_display = [
        "sold_at", "product", "customer", "quantity", "unit_price", "discount", "total", "channel", "status",
    ]
    list_filter = ["status", "channel", ProductCategoryFilter, "sold_at"]
    list_select_related = ()  # attached per page instead (see ServiceAdmin)
    related_on_page = ("product", "customer")
    date_hierarchy = "sold_at"
    search_fields = ["product__name"]  # shows the box; the search itself is SaleFilter's
    search_filterset = SaleFilter
    search_help_text = "Product name, SKU or brand; customer name, email or city."
    autocomplete_fields = ["customer", "product"]
    readonly_fields = ["total"]
    ordering = ["-sold_at"]
    actions = ["refund"]

    @admin.action(description="Refund the selected sales")
    def refund(self, request, queryset):
        for sale in queryset:
            sale_refund(sale=sale)

    def create(self, data):
        return sale_create(**{k: v for k, v in data.items() if k in SALE_FIELDS})

    def update(self, instance, data):
        return sale_update(sale=instance, data=data)

    def delete(self, instance):
        sale_delete(sale=instance)
