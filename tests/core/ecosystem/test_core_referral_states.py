"""The referral lifecycle: HL7 SDOH Clinical Care Task states and who may set which."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rightresponse.core.ecosystem.referrals import (
    OPEN,
    STATES,
    TERMINAL,
    OverdueRules,
    ReferralClock,
    TransitionError,
    allowed_targets,
    check_transition,
    overdue_reason,
)


def test_the_happy_path_alternates_referrer_and_provider() -> None:
    assert check_transition("draft", "requested", "referrer", None) is None
    assert check_transition("requested", "accepted", "provider", None) is None
    assert check_transition("accepted", "in-progress", "provider", None) is None
    assert check_transition("in-progress", "completed", "provider", None) == "got_help"


@pytest.mark.parametrize(
    ("current", "target", "side", "message"),
    [
        ("requested", "accepted", "referrer", "only the provider"),
        ("draft", "requested", "provider", "only the referrer"),
        ("requested", "completed", "provider", "cannot go from requested to completed"),
        ("completed", "in-progress", "provider", "already completed"),
        ("cancelled", "requested", "referrer", "already cancelled"),
        ("requested", "approved", "provider", "not a referral state"),
    ],
)
def test_illegal_moves_are_refused_with_the_reason(current, target, side, message) -> None:
    with pytest.raises(TransitionError, match=message):
        check_transition(current, target, side, None)


def test_endings_need_a_fitting_outcome_reason() -> None:
    with pytest.raises(TransitionError, match="needs an outcome reason"):
        check_transition("requested", "rejected", "provider", None)
    with pytest.raises(TransitionError, match="needs an outcome reason"):
        check_transition("requested", "rejected", "provider", "got_help")
    assert check_transition("requested", "rejected", "provider", "no_capacity") == "no_capacity"
    assert (
        check_transition("accepted", "failed", "provider", "could_not_contact")
        == "could_not_contact"
    )
    with pytest.raises(TransitionError, match="not an outcome reason"):
        check_transition("accepted", "failed", "provider", "bored")
    with pytest.raises(TransitionError, match="only when a referral ends"):
        check_transition("requested", "accepted", "provider", "got_help")


def test_the_referrer_may_withdraw_any_open_request_but_not_a_finished_one() -> None:
    for state in ("draft", "requested", "accepted", "in-progress", "on-hold"):
        assert "cancelled" in allowed_targets(state, "referrer")
    for state in TERMINAL:
        assert allowed_targets(state, "referrer") == frozenset()


@given(
    st.sampled_from(sorted(TERMINAL)),
    st.sampled_from(STATES),
    st.sampled_from(["referrer", "provider"]),
)
def test_no_way_out_of_a_terminal_state(current, target, side) -> None:
    with pytest.raises(TransitionError):
        check_transition(current, target, side, "got_help")


def test_every_target_is_a_state_and_every_open_state_has_a_way_forward() -> None:
    for side in ("referrer", "provider"):
        for state in STATES:
            assert allowed_targets(state, side) <= set(STATES)
    for state in OPEN:
        assert allowed_targets(state, "referrer") | allowed_targets(state, "provider")


T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_overdue_when_the_provider_does_not_answer_in_two_days() -> None:
    clock = ReferralClock("requested", T0, None, None)
    rules = OverdueRules()
    assert overdue_reason(clock, T0 + timedelta(hours=47), rules) is None
    assert overdue_reason(clock, T0 + timedelta(hours=49), rules) == "no answer from the provider"


def test_overdue_when_accepted_without_first_contact() -> None:
    clock = ReferralClock("accepted", T0, T0, None)
    assert (
        overdue_reason(clock, T0 + timedelta(hours=73), OverdueRules())
        == "accepted but no first contact"
    )
    contacted = ReferralClock("accepted", T0, T0, T0 + timedelta(hours=1))
    assert overdue_reason(contacted, T0 + timedelta(days=9), OverdueRules()) is None


def test_second_response_due_time_and_finished_referrals() -> None:
    due = ReferralClock("requested", T0, None, None, due_at=T0 + timedelta(hours=72))
    later = T0 + timedelta(hours=73)
    assert overdue_reason(due, later, OverdueRules()) == "follow-up due time passed without contact"
    done = ReferralClock("completed", T0, T0, T0, due_at=T0)
    assert overdue_reason(done, later, OverdueRules()) is None
