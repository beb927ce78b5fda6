"""Pages of the ecosystem pillar (mounted at /services/)."""

from django.urls import path

from . import views

app_name = "ecosystem"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("search/", views.search, name="search"),
    path("navigator/", views.navigator, name="navigator"),
    path("referrals/", views.referrals, name="referrals"),
    path("referrals/<int:referral_id>/", views.referral_detail, name="referral"),
    path(
        "referrals/<int:referral_id>/transition/",
        views.referral_transition,
        name="referral_transition",
    ),
    path("referrals/<int:referral_id>/contact/", views.referral_contact, name="referral_contact"),
    path("refer/", views.refer, name="refer"),
    path(
        "incidents/<int:incident_id>/referrals/",
        views.incident_referrals,
        name="incident_referrals",
    ),
    path("inbox/", views.inbox, name="inbox"),
    path("capacity/<uuid:service_id>/", views.capacity_update, name="capacity"),
    path("people/<int:person_id>/", views.person_record, name="person"),
    path("people/alerts/", views.access_alerts, name="access_alerts"),
    path("consents/<int:consent_id>/revoke/", views.consent_revoke, name="consent_revoke"),
    path("healing/", views.healing, name="healing"),
    path("healing/actions/<int:action_id>/", views.healing_action_status, name="healing_action"),
]
