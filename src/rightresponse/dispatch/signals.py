"""Signals the dispatch pillar sends so other pillars can react without importing it.

``incident_closed`` is sent after an incident is closed (inside the closing transaction's
``on_commit``) with keyword arguments: ``incident_id`` (int), ``call_id`` (int | None),
``category`` (report category of the final call type), ``call_type`` (final),
``outcome`` (str), ``person_ids`` (list[int]), ``agency_id`` (int), ``closed_at``
(aware datetime), ``closed_by`` (user | None). The ecosystem pillar listens to create
second-response follow-up tasks (report lines 1984-1994).
"""

from django.dispatch import Signal

incident_closed = Signal()
