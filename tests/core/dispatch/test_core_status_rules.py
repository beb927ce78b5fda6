"""The status-time vocabulary, unit follow-on statuses and priority: rules the dispatch
actions apply, kept in the core (issue 17 item 3)."""

from rightresponse.core.dispatch import (
    priority_of,
    programs_after_tier_change,
    releases_units,
    stamp_of_status,
    unit_status_of_incident,
)


def test_each_status_stamps_its_own_time_and_waiting_stamps_none() -> None:
    assert stamp_of_status("en_route") == "en_route"
    assert stamp_of_status("on_scene") == "on_scene"
    assert stamp_of_status("waiting") is None
    assert stamp_of_status("transporting") is None


def test_units_follow_field_statuses_and_are_freed_on_clear() -> None:
    assert unit_status_of_incident("on_scene") == "on_scene"
    assert unit_status_of_incident("cleared") is None
    assert releases_units("cleared") and releases_units("waiting")
    assert not releases_units("en_route")


def test_priority_follows_risk_first_then_tier() -> None:
    assert priority_of(0, 16) == 1  # a high risk outranks a virtual tier
    assert priority_of(4, 1) == 5
    assert priority_of(4, None) == 2
    assert priority_of(None, None) == 3


def test_a_police_tier_adds_police_once() -> None:
    assert programs_after_tier_change(["care_team"], 3) == ["care_team", "police"]
    assert programs_after_tier_change(["police"], 4) == ["police"]
    assert programs_after_tier_change(["care_team"], 2) == ["care_team"]
