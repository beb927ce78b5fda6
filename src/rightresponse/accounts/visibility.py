"""The viewer of the visibility rule (core.visibility) for a Django user: agency, kind,
roles and the units they serve on. Cached on the user object for the request."""

from __future__ import annotations

from rightresponse.core.visibility import RESPONDER, SUPERVISOR, Viewer

from .selectors import AnyUser, user_agency, user_roles


def viewer_of(user: AnyUser) -> Viewer:
    cached: Viewer | None = getattr(user, "_rr_viewer", None)
    if cached is not None:
        return cached
    if not user.is_authenticated:
        return Viewer(user_id=None, agency_id=None, agency_kind=None, roles=frozenset())
    # Imported here: accounts is below dispatch in the layering (units are dispatch's).
    from rightresponse.dispatch.models import UnitMember

    agency = user_agency(user)
    roles = user_roles(user)
    # Units matter only to those who ride on them (a query saved on every dispatch call).
    units = (
        frozenset(
            UnitMember.objects.filter(user_id=user.pk, active=True, unit__isnull=False).values_list(
                "unit_id", flat=True
            )
        )
        if roles & {RESPONDER, SUPERVISOR}  # the roles of the responder's screen
        else frozenset()
    )
    viewer = Viewer(
        user_id=user.pk,
        agency_id=agency.pk if agency is not None else None,
        agency_kind=agency.kind if agency is not None else None,
        roles=roles,
        unit_ids=units,
    )
    user._rr_viewer = viewer  # type: ignore[union-attr]
    return viewer
