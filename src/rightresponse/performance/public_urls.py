"""The public dashboard: no login, aggregates only."""

from django.urls import path

from . import views

app_name = "public"
urlpatterns = [
    path("", views.public_dashboard, name="dashboard"),
    path("dashboard.csv", views.public_csv, name="csv"),
    path("dashboard.json", views.public_json, name="json"),
    path("data-dictionary.csv", views.public_dictionary, name="dictionary"),
]
