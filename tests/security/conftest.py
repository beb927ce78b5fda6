"""Fixtures of the attack suite: the world and clients as any of its users."""

from attack_world import as_api, as_page, world

__all__ = ["as_api", "as_page", "world"]
