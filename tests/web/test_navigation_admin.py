"""Admins have the admin site in the menu; nobody else is shown a link that cannot open."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_staff_see_the_admin_site_in_the_menu_and_it_opens(logged_in: Any, users: dict) -> None:
    admin = users["administrator"]
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = logged_in("administrator")
    html = client.get("/").content.decode()
    assert '<a href="/admin/"' in html and "Admin site" in html
    assert client.get("/admin/").status_code == 200


def test_others_are_not_shown_the_admin_site(logged_in: Any) -> None:
    for role in ("dispatcher", "responder", "analyst"):
        assert "Admin site" not in logged_in(role).get("/").content.decode()
