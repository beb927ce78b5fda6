"""Pages of the analytics pillar."""

from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("upload/", views.upload, name="upload"),
    path("work/<str:job_id>/", views.job, name="job"),
    path("<slug:slug>/", views.dataset_detail, name="dataset"),
    path("<slug:slug>/analyse/", views.dataset_run, name="run"),
    path("<slug:slug>/compare/", views.dataset_compare_run, name="compare"),
    path("<slug:slug>/reports/<str:folder>/<str:name>", views.report_file, name="report_file"),
]
