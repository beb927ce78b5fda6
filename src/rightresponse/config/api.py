"""The REST API: one NinjaAPI, a router per pillar. OpenAPI at /api/openapi.json, docs at /api/docs.

An operation that declares no ``auth`` falls back to administrators only, so a forgotten
declaration fails closed. Every error is an RFC 9457 problem (config/problems.py), and the
OpenAPI document lists on every operation the error codes it can return (issue 20).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI

from rightresponse.accounts.api import router as auth_router
from rightresponse.accounts.permissions import PUBLIC, allow
from rightresponse.accounts.roles import ADMINISTRATOR
from rightresponse.analytics.api import router as analytics_router
from rightresponse.dispatch.api import router as dispatch_router
from rightresponse.ecosystem.api import router as ecosystem_router
from rightresponse.intake.api import router as intake_router
from rightresponse.performance.api import router as performance_router
from rightresponse.plan.api import router as plan_router
from rightresponse.studio.api import router as studio_router
from rightresponse.triage.api import router as triage_router

from . import problems


class ContractAPI(NinjaAPI):
    """The NinjaAPI whose OpenAPI document also declares every operation's errors."""

    def get_openapi_schema(self, **kwargs: Any) -> Any:
        return problems.document(super().get_openapi_schema(**kwargs), self)


api = ContractAPI(
    title="RightResponse API",
    version="1",
    description=(
        "Triage, dispatch, the service ecosystem, analytics and performance for a city's "
        "community-safety ecosystem. Authenticate with `Authorization: Bearer <token>` "
        "(POST /api/auth/token)."
    ),
    auth=allow(ADMINISTRATOR),
    urls_namespace="api",
    parser=problems.JsonBodyParser(),
)
problems.install(api)
api.add_router("/auth", auth_router)
api.add_router("/triage", triage_router)
api.add_router("/dispatch", dispatch_router)
api.add_router("/intake", intake_router)
api.add_router("/ecosystem", ecosystem_router)
api.add_router("/analytics", analytics_router)
api.add_router("/performance", performance_router)
api.add_router("/plan", plan_router)
api.add_router("/studio", studio_router)


@api.get("/health", auth=PUBLIC, tags=["operations"], summary="Liveness and database check")
def health(request: HttpRequest) -> dict[str, str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"status": "ok", "database": connection.vendor}
