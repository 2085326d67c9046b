"""The record pages under their record types' namespaces (``catalog:product-detail``…), the names the
models' ``get_absolute_url`` reverse."""

from django.urls import path

from pages.views import cohorts, customer_value, customers, feedback, products, sales, segments

customer_urls = ([
    path("", customers.customer_list_page, name="customer-list"),
    path("table/", customers.customer_table, name="customer-table"),
    path("cohorts/", cohorts.cohort_page, name="cohorts"),
    path("cohorts/csv/", cohorts.cohort_csv, name="cohorts-csv"),
    path("cohorts/customers/", cohorts.cohort_customers_page, name="cohort-customers"),
    path("cohorts/customers/table/", cohorts.cohort_customer_table, name="cohort-customer-table"),
    path("segments/", segments.segment_page, name="segments"),
    path("segments/csv/", segments.segment_csv, name="segments-csv"),
    path("segments/customers/", segments.segment_customers_page, name="segment-customers"),
    path("segments/customers/table/", segments.segment_customer_table, name="segment-customer-table"),
    path("value/", customer_value.customer_value_page, name="customer-value"),
    path("value/table/", customer_value.customer_value_table, name="customer-value-table"),
    path("<str:pk>/", customers.customer_detail_page, name="customer-detail"),
], "accounts")

product_urls = ([
    path("", products.product_list_page, name="product-list"),
    path("table/", products.product_table, name="product-table"),
    path("<str:pk>/", products.product_detail_page, name="product-detail"),
], "catalog")

sale_urls = ([
    path("", sales.sale_list_page, name="sale-list"),
    path("table/", sales.sale_table, name="sale-table"),
    path("<str:pk>/", sales.sale_detail_page, name="sale-detail"),
], "sales")

feedback_urls = ([
    path("", feedback.feedback_list_page, name="feedback-list"),
    path("table/", feedback.feedback_table, name="feedback-table"),
    path("<str:pk>/", feedback.feedback_detail_page, name="feedback-detail"),
], "feedback")
