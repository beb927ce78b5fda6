"""Words, not ids, on the dispatch pages: programme and not-served-reason labels."""

from __future__ import annotations

from django import template

from rightresponse.dispatch import protocol as proto
from rightresponse.dispatch.models import NOT_SERVED_REASONS

register = template.Library()
_REASONS = dict(NOT_SERVED_REASONS)


@register.filter
def program_label(program_id: str) -> str:
    """'community_responder' -> the protocol's label ('Community responder (STAR-style)')."""
    protocol = proto.protocol()
    if protocol is not None and program_id in protocol.programs:
        return str(protocol.programs[program_id].label)
    return str(program_id).replace("_", " ")


@register.filter
def not_served_label(reason: str) -> str:
    return _REASONS.get(reason, str(reason).replace("_", " "))
