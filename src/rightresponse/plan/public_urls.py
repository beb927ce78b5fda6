"""The public progress dashboard of the action plan: no login (report 254, 2309, 2489)."""

from django.urls import path

from . import views

app_name = "plan_public"
urlpatterns = [
    path("", views.public_dashboard, name="dashboard"),
    path("plan.csv", views.public_csv, name="csv"),
    path("plan.json", views.public_json, name="json"),
]
