"""Pages of the analytics pillar."""

from django.urls import path

from . import views

app_name = "analytics"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.dataset_detail, name="dataset"),
    path("<slug:slug>/analyse/", views.dataset_run, name="run"),
]
