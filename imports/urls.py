from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.import_page, name="import-page"),
    path("<str:token>/", views.import_status, name="import-status"),
    path("<str:token>/confirm/", views.import_confirm, name="import-confirm"),
]
