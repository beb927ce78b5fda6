"""Recommendation and the fallback chain (pure core, no database)."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from rightresponse.core.dispatch import IncidentNeed, UnitInfo, parse_hours, recommend

WEDNESDAY_NOON = datetime(2026, 11, 25, 12, 0)
WEDNESDAY_NIGHT = datetime(2026, 11, 25, 23, 0)
STAR_HOURS = parse_hours("Mon-Fri 10:00-18:00")
ALWAYS = parse_hours("24/7")


def unit(uid: int, program: str, kind: str, **kw: object) -> UnitInfo:
    defaults: dict[str, object] = {
        "status": "available",
        "hours": ALWAYS,
        "latitude": 47.60,
        "longitude": -122.33,
    }
    defaults.update(kw)
    return UnitInfo(id=uid, call_sign=f"U{uid}", program=program, kind=kind, **defaults)  # type: ignore[arg-type]


def need(**kw: object) -> IncidentNeed:
    defaults: dict[str, object] = {
        "tier": 1,
        "programs": ("community_responder",),
        "at": WEDNESDAY_NOON,
        "area": "north",
        "latitude": 47.61,
        "longitude": -122.33,
    }
    defaults.update(kw)
    return IncidentNeed(**defaults)  # type: ignore[arg-type]


def test_nearest_available_unit_of_the_preferred_program_comes_first() -> None:
    far = unit(1, "community_responder", "civilian", latitude=47.70, longitude=-122.33)
    near = unit(2, "community_responder", "civilian", latitude=47.612, longitude=-122.33)
    busy = unit(3, "community_responder", "civilian", status="on_scene", latitude=47.61)
    result = recommend(need(), [far, near, busy])
    assert [c.unit_id for c in result.candidates] == [2, 1]
    assert result.primary is not None and result.primary.eta_minutes is not None
    assert result.primary.eta_minutes < result.candidates[1].eta_minutes  # type: ignore[operator]
    assert not result.fell_back and result.eligible_not_served == ()


def test_off_hours_civilian_falls_back_to_police_and_is_recorded() -> None:
    star = unit(1, "community_responder", "civilian", hours=STAR_HOURS)
    police = unit(2, "police", "police")
    result = recommend(need(at=WEDNESDAY_NIGHT), [star, police])
    assert result.fell_back and result.response_kind == "police"
    assert [c.unit_id for c in result.candidates] == [2]
    assert result.eligible_not_served == (("community_responder", "off_hours"),)
    assert result.not_served_reason == "off_hours"


def test_out_of_area_and_none_available_are_told_apart() -> None:
    police = unit(9, "police", "police")
    outside = unit(1, "community_responder", "civilian", areas=frozenset({"south"}))
    assert recommend(need(), [outside, police]).not_served_reason == "out_of_area"
    busy = unit(1, "community_responder", "civilian", status="dispatched")
    assert recommend(need(), [busy, police]).not_served_reason == "none_available"
    assert recommend(need(), [police]).not_served_reason == "none_available"


def test_fallback_tries_co_response_before_police() -> None:
    cit = unit(5, "cit_co_response", "co_response")
    police = unit(6, "police", "police")
    busy = unit(1, "community_responder", "civilian", status="on_scene")
    result = recommend(need(), [busy, cit, police])
    assert result.response_kind == "co_response"
    assert result.primary is not None and result.primary.unit_id == 5


def test_polygon_service_area_counts_as_coverage() -> None:
    square = ((47.5, -122.4), (47.7, -122.4), (47.7, -122.2), (47.5, -122.2))
    inside = unit(1, "community_responder", "civilian", areas=frozenset({"x"}), polygon=square)
    assert recommend(need(area="elsewhere"), [inside]).primary is not None
    assert recommend(need(area="elsewhere", latitude=48.0), [inside]).primary is None


def test_needed_capability_is_required_and_preferred_one_ranks_first() -> None:
    plain = unit(1, "police", "police", latitude=47.611)
    cit = unit(2, "police", "police", capabilities=frozenset({"CIT"}), latitude=47.69)
    result = recommend(
        need(tier=4, programs=("police",), preferred_capabilities=frozenset({"CIT"})), [plain, cit]
    )
    assert [c.unit_id for c in result.candidates] == [2, 1]
    strict = recommend(
        need(tier=4, programs=("police",), needed_capabilities=frozenset({"EMT"})), [plain, cit]
    )
    assert strict.candidates == ()


def test_virtual_only_decision_needs_no_field_unit() -> None:
    result = recommend(need(tier=0, programs=("online_report",)), [unit(1, "police", "police")])
    assert result.candidates == () and result.response_kind == "virtual"


@given(
    st.lists(st.sampled_from(["available", "dispatched", "on_scene", "out_of_service"]), max_size=8)
)
def test_never_recommends_a_busy_unit(statuses: list[str]) -> None:
    units = [unit(i, "community_responder", "civilian", status=s) for i, s in enumerate(statuses)]
    units.append(unit(100, "police", "police", status="on_scene"))
    result = recommend(need(), units)
    by_id = {u.id: u for u in units}
    assert all(by_id[c.unit_id].status == "available" for c in result.candidates)
    if "available" not in statuses:
        assert result.not_served_reason == "none_available"


def test_protocol_fallback_programs_are_not_recorded_once_an_alternative_serves() -> None:
    care = unit(1, "community_responder", "civilian")
    result = recommend(
        need(tier=2, programs=("community_responder", "cit_co_response", "police")),
        [care, unit(2, "police", "police", latitude=47.7)],
    )
    assert result.primary is not None and result.primary.unit_id == 1
    assert result.eligible_not_served == ()


def test_a_served_medical_program_is_not_pushed_aside_by_the_fallback_chain() -> None:
    ems = unit(1, "ems", "medical")
    care = unit(2, "community_responder", "civilian", status="on_scene")
    police = unit(3, "police", "police", latitude=47.6101)
    result = recommend(need(programs=("ems", "community_responder")), [ems, care, police])
    assert [c.unit_id for c in result.candidates] == [1] and not result.fell_back
