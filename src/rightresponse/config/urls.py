from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .api import api

admin.site.site_header = "RightResponse administration"
admin.site.site_title = "RightResponse"

urlpatterns = [
    path("", include("rightresponse.web.urls")),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("triage/", include("rightresponse.triage.urls")),
    path("dispatch/", include("rightresponse.dispatch.urls")),
    path("intake/", include("rightresponse.intake.urls")),
    path("report/", include("rightresponse.intake.public_urls")),
    path("services/", include("rightresponse.ecosystem.urls")),
    path("analytics/", include("rightresponse.analytics.urls")),
    path("performance/", include("rightresponse.performance.urls")),
    path("public/", include("rightresponse.performance.public_urls")),
    path("plan/", include("rightresponse.plan.urls")),
    path("progress/", include("rightresponse.plan.public_urls")),
    path("studio/", include("rightresponse.studio.urls")),
]
