"""Pages of the dispatch pillar."""

from django.urls import path

from . import views

app_name = "dispatch"
urlpatterns = [
    path("", views.board, name="board"),
    path("board/live/", views.board_live, name="board_live"),
    path("incidents/<int:incident_id>/assign/", views.board_assign, name="board_assign"),
    path("incidents/<int:incident_id>/", views.incident_detail, name="incident"),
    path(
        "incidents/<int:incident_id>/reclassify/", views.board_reclassify, name="board_reclassify"
    ),
    path("supervisor/", views.supervisor, name="supervisor"),
    path("responder/", views.responder, name="responder"),
    path("responder/live/", views.responder_live, name="responder_live"),
    path("responder/<int:incident_id>/action/", views.responder_action, name="responder_action"),
]
