"""Pages of the plan pillar (staff)."""

from django.urls import path

from . import views

app_name = "plan"
urlpatterns = [
    path("", views.index, name="index"),
    path("steps/<str:code>/", views.step_detail, name="step"),
    path("steps/<str:code>/milestones/", views.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/done/", views.milestone_done, name="milestone_done"),
    path("steps/<str:code>/evidence/", views.evidence_add, name="evidence_add"),
    path("steps/<str:code>/citistat/", views.citistat_link, name="citistat_link"),
    path("steps/<str:code>/pilots/", views.pilot_add, name="pilot_add"),
    path("arms/<int:pk>/observations/", views.observations_set, name="observations"),
    path("committee/", views.committee, name="committee"),
    path("comments/", views.comments, name="comments"),
    path("staffing/", views.staffing_page, name="staffing"),
]
