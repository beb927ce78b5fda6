"""REST endpoints of the ecosystem pillar (thin: parse, authorise, call a service or selector)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["ecosystem"])
