"""Pages of the ecosystem pillar."""

from django.urls import path  # noqa: F401

app_name = "ecosystem"
urlpatterns: list = []
