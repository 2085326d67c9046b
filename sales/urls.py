from django.urls import path

from sales import views

app_name = "sales"

urlpatterns = [
    path("", views.sale_list_page, name="sale-list"),
    path("table/", views.sale_table, name="sale-table"),
    path("<str:pk>/", views.sale_detail_page, name="sale-detail"),
]
