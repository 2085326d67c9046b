from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.customer_list_page, name="customer-list"),
    path("table/", views.customer_table, name="customer-table"),
    path("<str:pk>/", views.customer_detail_page, name="customer-detail"),
]
