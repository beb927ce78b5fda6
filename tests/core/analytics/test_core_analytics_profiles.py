from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from core_analytics_paths import MAPPINGS, PROFILES

from rightresponse.core.analytics.mapping import load_mapping
from rightresponse.core.analytics.profile import ProfileError, load_profile, parse_profile


def test_every_shipped_profile_validates_and_has_its_mapping() -> None:
    names = sorted(p.stem for p in PROFILES.glob("*.yaml"))
    assert {
        "decc-cad",
        "seattle-call-data",
        "seattle-call-data-study",
        "slo-police-log",
        "san-antonio-sapd",
        "new-orleans-cfs",
    } <= set(names)
    for name in names:
        profile = load_profile(PROFILES / f"{name}.yaml")
        assert profile.name == name
        assert profile.mapping and (MAPPINGS / profile.mapping).is_file()
        assert load_mapping(MAPPINGS / profile.mapping)


def test_new_orleans_profile_covers_the_full_public_layout() -> None:
    profile = load_profile(PROFILES / "new-orleans-cfs.yaml")
    used = {c for spec in profile.fields.values() for c in (*spec.columns, *spec.joined)}
    assert {"NOPD_Item", "TypeText", "InitialTypeText", "TimeCreate", "TimeDispatch"} <= used
    assert {"TimeArrive", "TimeClosed", "DispositionText", "SelfInitiated", "Location"} <= used


def _base() -> dict:
    return {
        "name": "x",
        "title": "X",
        "timezone": "America/Chicago",
        "fields": {
            "call_id": {"column": "id"},
            "received_at": {"column": "t", "formats": ["%Y-%m-%d %H:%M:%S"]},
        },
    }


def test_missing_required_field_names_the_file_and_place() -> None:
    data = _base()
    del data["fields"]["call_id"]
    with pytest.raises(ProfileError, match=r"city\.yaml: at fields: 'call_id' is a required"):
        parse_profile(data, "city.yaml")


def test_staff_names_need_an_explicit_sensitive_flag() -> None:
    data = _base()
    data["fields"]["staff"] = {"column": "Call_Taker"}
    with pytest.raises(ProfileError, match=r"at fields/staff: 'sensitive' is a required"):
        parse_profile(data, "city.yaml")
    data["fields"]["staff"] = {"column": "Call_Taker", "sensitive": True}
    assert parse_profile(data, "city.yaml").imports_sensitive


def test_unknown_time_zone_and_bad_pattern_are_reported() -> None:
    data = _base()
    data["timezone"] = "Mars/Olympus"
    with pytest.raises(ProfileError, match="unknown time zone 'Mars/Olympus'"):
        parse_profile(data, "city.yaml")
    data = _base()
    data["fields"]["latitude"] = {"column": "loc", "pattern": "POINT ("}
    with pytest.raises(ProfileError, match="at fields/latitude/pattern"):
        parse_profile(data, "city.yaml")


def test_time_fields_need_formats(tmp_path: Path) -> None:
    data = _base()
    data["fields"]["on_scene_at"] = {"column": "arr"}
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(
        ProfileError, match=r"p\.yaml: at fields/on_scene_at: 'formats' is a required"
    ):
        load_profile(path)


def test_an_old_name_of_a_status_time_is_told_its_new_name() -> None:
    """One vocabulary for status times with the live incidents (issue 17)."""
    data = _base()
    data["fields"]["enroute_at"] = {"column": "enr", "formats": ["%Y-%m-%d %H:%M:%S"]}
    with pytest.raises(ProfileError, match=r"at fields/enroute_at: now named en_route_at"):
        parse_profile(data, "city.yaml")
