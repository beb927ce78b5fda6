"""Pages of the protocol studio."""

from django.urls import path

from . import views

app_name = "studio"
urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.draft_new, name="new"),
    path("<int:pk>/", views.version_detail, name="version"),
    path("<int:pk>/rules/", views.rules_form, name="rules"),
    path("<int:pk>/yaml/", views.yaml_editor, name="yaml"),
    path("<int:pk>/section/<slug:section>/", views.section_form, name="section"),
    path("<int:pk>/diff/", views.diff_page, name="diff"),
    path("<int:pk>/impact/", views.impact_page, name="impact"),
    path("<int:pk>/impact/result/", views.impact_partial, name="impact_result"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/rollback/", views.rollback, name="rollback"),
]
