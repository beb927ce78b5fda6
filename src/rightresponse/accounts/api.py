"""Token endpoint: exchange a username and password for a per-user API token."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import authenticate
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.throttling import AnonRateThrottle
from pydantic import Field

from rightresponse.config.problems import responses

from .permissions import PUBLIC, allow
from .roles import ROLES
from .selectors import user_agency, user_roles
from .services import token_issue

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str = Field(max_length=150)
    password: str = Field(max_length=256)
    name: str = Field(default="api", max_length=100)


class TokenOut(Schema):
    token: str
    username: str
    agency: str | None
    roles: list[str]
    expires_at: datetime | None = None  # the token is refused (401) from then on


# Failed passwords lock the username+address pair for a while (django-axes, in the database,
# shared by every worker; settings.AXES_*). This throttle only brakes floods from one
# address (per worker); both take the address from accounts.network.client_address's rule.
TOKEN_THROTTLE = [AnonRateThrottle("30/m")]


@router.post(
    "/token",
    response=TokenOut,
    auth=PUBLIC,
    throttle=TOKEN_THROTTLE,
    summary="Create an API token",
    openapi_extra=responses(401),
)
def token_obtain(request: HttpRequest, payload: TokenRequest) -> TokenOut:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None:
        # A locked-out pair gets django-axes's 429 instead (AxesMiddleware, accounts.views).
        raise HttpError(401, "Unknown username or wrong password.")
    agency = user_agency(user)
    key, token = token_issue(user, payload.name)
    return TokenOut(
        token=key,
        username=user.get_username(),
        agency=agency.slug if agency else None,
        roles=sorted(user_roles(user)),
        expires_at=token.expires_at,
    )


@router.get("/me", response=TokenOut, auth=allow(*ROLES), summary="Who am I")
def whoami(request: HttpRequest) -> TokenOut:
    agency = user_agency(request.user)
    return TokenOut(
        token="",
        username=request.user.get_username(),
        agency=agency.slug if agency else None,
        roles=sorted(user_roles(request.user)),
    )
