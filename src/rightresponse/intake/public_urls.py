"""The public online report form."""

from django.urls import path

from . import views

app_name = "report"
urlpatterns = [
    path("", views.online_report, name="form"),
    path("start/", views.online_report_start, name="start"),
]
