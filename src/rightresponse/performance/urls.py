"""Pages of the performance pillar."""

from django.urls import path

from . import views

app_name = "performance"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("catalog/", views.catalog_page, name="catalog"),
    path("metrics/<slug:metric_id>/", views.metric_detail, name="metric"),
    path("metrics/<slug:metric_id>/target/", views.target_edit, name="target"),
    path("scorecards/", views.scorecards, name="scorecards"),
    path("entry/", views.entry, name="entry"),
    path("entry/csv/", views.entry_csv, name="entry_csv"),
    path("citistat/", views.citistat, name="citistat"),
    path("citistat/<int:pk>/", views.meeting, name="meeting"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("evaluation/", views.evaluation, name="evaluation"),
]
