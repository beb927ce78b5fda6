"""Pages of the triage pillar."""

from django.urls import path

from . import views

app_name = "triage"
urlpatterns = [
    path("", views.call_taker, name="call_taker"),
    path("recommend/", views.recommend, name="recommend"),
    path("calls/", views.call_save, name="call_save"),
    path("location/", views.location_check, name="location_check"),
    path("caller/", views.caller_check, name="caller_check"),
]
