"""The dispatcher's unit picker (issue 16): every available unit, recommended first, the
others with the cause; an unresolved location never makes a call undispatchable."""

from __future__ import annotations

from datetime import datetime

from rightresponse.core.dispatch import IncidentNeed, UnitInfo, parse_hours, recommend, unit_choices

NOON = datetime(2026, 11, 25, 12, 0)
ALWAYS = parse_hours("24/7")


def unit(uid: int, program: str, kind: str, areas: tuple[str, ...] = (), **kw: object) -> UnitInfo:
    values: dict[str, object] = {"status": "available", "hours": ALWAYS, "latitude": 44.95,
                                 "longitude": -93.25, "areas": frozenset(areas)}  # fmt: skip
    values.update(kw)
    return UnitInfo(id=uid, call_sign=f"U{uid}", program=program, kind=kind, **values)  # type: ignore[arg-type]


def dv_knife(**kw: object) -> IncidentNeed:
    values: dict[str, object] = {"tier": 4, "programs": ("police",), "at": NOON}
    values.update(kw)
    return IncidentNeed(**values)  # type: ignore[arg-type]


POLICE = [
    unit(i, "police", "police", (f"Precinct {i}",), latitude=44.90 + i / 100) for i in (1, 2, 3)
]
CRISIS = unit(9, "behavioral_crisis_team", "civilian", latitude=44.951)


def test_a_call_without_any_location_still_gets_police_units() -> None:
    need = dv_knife()  # the area left blank, no coordinates: the knife call
    rec = recommend(need, [*POLICE, CRISIS])
    assert rec.primary is not None and rec.primary.kind == "police"
    choices = unit_choices(need, [*POLICE, CRISIS], rec)
    assert [c.call_sign for c in choices][:3] == ["U1", "U2", "U3"]
    assert all(c.recommended for c in choices[:3])
    assert "distance unknown" in choices[0].note
    # The crisis team is offered too (the dispatcher may override), with the cause.
    assert choices[-1].call_sign == "U9" and not choices[-1].recommended
    assert choices[-1].note.startswith("not a response the protocol names")


def test_a_located_call_recommends_the_precinct_unit_and_offers_the_rest_nearest_first() -> None:
    need = dv_knife(area="Precinct 2", latitude=44.93, longitude=-93.25)
    rec = recommend(need, [*POLICE, CRISIS])
    assert [c.unit_id for c in rec.candidates] == [2]
    choices = unit_choices(need, [*POLICE, CRISIS], rec)
    assert choices[0].call_sign == "U2" and choices[0].recommended
    rest = choices[1:]
    etas = [c.eta_minutes for c in rest]
    assert etas == sorted(etas)  # type: ignore[type-var]
    assert {c.note for c in rest if c.kind == "police"} == {"outside the program's area"}


def test_picker_is_empty_only_when_no_unit_is_available() -> None:
    busy = [unit(1, "police", "police", status="on_scene"), unit(2, "police", "police",
            status="out_of_service")]  # fmt: skip
    need = dv_knife()
    assert unit_choices(need, busy, recommend(need, busy)) == []


def test_a_program_zone_excludes_a_point_outside_it() -> None:
    care = unit(5, "community_responder", "civilian")
    police = unit(6, "police", "police")
    need = IncidentNeed(tier=1, programs=("community_responder",), at=NOON, latitude=44.95,
                        longitude=-93.25, zoned_programs=frozenset({"community_responder"}))  # fmt: skip
    rec = recommend(need, [care, police])
    assert rec.eligible_not_served == (("community_responder", "out_of_area"),)
    assert rec.fell_back and rec.primary is not None and rec.primary.unit_id == 6
    inside = IncidentNeed(tier=1, programs=("community_responder",), at=NOON, latitude=44.95,
                          longitude=-93.25, zoned_programs=frozenset({"community_responder"}),
                          in_zones=frozenset({"community_responder"}))  # fmt: skip
    assert recommend(inside, [care, police]).primary.unit_id == 5  # type: ignore[union-attr]
