"""Token endpoint: exchange a username and password for a per-user API token."""

from __future__ import annotations

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
from .services import token_create

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


# Password guessing is slowed per client address (Django's cache; per process by default).
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
        raise HttpError(401, "Unknown username or wrong password.")
    agency = user_agency(user)
    return TokenOut(
        token=token_create(user, payload.name),
        username=user.get_username(),
        agency=agency.slug if agency else None,
        roles=sorted(user_roles(user)),
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
