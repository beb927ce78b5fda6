"""Property: whatever sequence of moves the referrer and the provider attempt, the stored
referral follows the state machine, its clock and history agree, and its fact row says so."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightresponse.core.ecosystem.referrals import (
    OUTCOME_REASONS,
    STATES,
    TERMINAL,
    TransitionError,
)
from rightresponse.ecosystem import services
from rightresponse.ecosystem.selectors import referral_facts

pytestmark = pytest.mark.django_db

moves = st.lists(
    st.tuples(
        st.sampled_from(["referrer", "provider"]),
        st.sampled_from(STATES),
        st.sampled_from([None, *OUTCOME_REASONS]),
    ),
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(moves=moves)
def test_any_sequence_of_moves_keeps_the_referral_consistent(
    users, directory, person, moves
) -> None:
    actors = {"referrer": users["responder"], "provider": users["service_provider"]}
    ref = services.referral_create(
        user=actors["referrer"], source="navigator", service=directory["counselling"], person=person
    )
    accepted_ever = False
    applied = 0
    for side, target, reason in moves:
        before = ref.status
        try:
            ref = services.referral_transition(ref, actors[side], target, reason=reason)
        except TransitionError:
            ref.refresh_from_db()
            assert ref.status == before  # a refused move changes nothing
            continue
        applied += 1
        accepted_ever = accepted_ever or target == "accepted"
        assert before not in TERMINAL
    ref.refresh_from_db()
    assert ref.status in STATES
    assert ref.events.count() == 2 + applied  # created, sent, then one per applied move
    assert (ref.accepted_at is not None) == accepted_ever
    assert (ref.ended_at is not None) == (ref.status in TERMINAL)
    assert (ref.completed_at is not None) == (ref.status == "completed")
    if ref.status in ("rejected", "failed", "completed"):
        assert ref.outcome_reason in OUTCOME_REASONS  # every ending says whether it helped
    elif ref.status != "cancelled":
        assert ref.outcome_reason == ""
    fact = next(f for f in referral_facts() if f["referral_id"] == ref.pk)
    assert fact["status"] == ref.status and fact["accepted_at"] == ref.accepted_at
