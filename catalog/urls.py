from django.urls import path

from catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.product_list_page, name="product-list"),
    path("table/", views.product_table, name="product-table"),
    path("<str:pk>/", views.product_detail_page, name="product-detail"),
]
