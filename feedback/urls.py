from django.urls import path

from feedback import views

app_name = "feedback"

urlpatterns = [
    path("", views.feedback_list_page, name="feedback-list"),
    path("table/", views.feedback_table, name="feedback-table"),
    path("<str:pk>/", views.feedback_detail_page, name="feedback-detail"),
]
