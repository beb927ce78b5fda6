"""REST endpoints of the analytics pillar (thin: parse, authorise, call a service or selector)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["analytics"])
