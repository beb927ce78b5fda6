"""Staff pages of the intake app (the public report form is mounted at /report/)."""

from django.urls import path

from . import views

app_name = "intake"
urlpatterns = [
    path("", views.report_queue, name="queue"),
    path("cases/<int:case_id>/<str:action>/", views.case_action, name="case_action"),
]
