"""Forms for every section of the protocol (call types, questions, programs, rules, the risk
matrix, example calls...), built from the loader's JSON Schema: a change is saved with the
file's comments kept, re-validated with problems shown at the field, and the example calls
re-run with pass/fail shown."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from rightresponse.studio.models import ProtocolVersion
from rightresponse.studio.sections import SECTIONS

pytestmark = pytest.mark.django_db


def _author(studio_users: dict[str, Any]) -> tuple[Client, ProtocolVersion]:
    client = Client()
    client.force_login(studio_users["author"])
    client.post("/studio/new/", {"note": "forms"})
    return client, ProtocolVersion.objects.get()


def _index(version: ProtocolVersion, section: str, item_id: str) -> int:
    from rightresponse.core.triage import read_yaml_text

    data = read_yaml_text(version.yaml_text, "t")
    return next(i for i, item in enumerate(data[section]) if item.get("id") == item_id)


def test_every_section_has_a_form_with_schema_fields(studio_users: dict[str, Any]) -> None:
    client, version = _author(studio_users)
    for section in SECTIONS:
        page = client.get(f"/studio/{version.pk}/section/{section}/")
        assert page.status_code == 200, section
    programs = client.get(f"/studio/{version.pk}/section/programs/").content.decode()
    i = _index(version, "programs", "community_responder")
    # kind is an enum in the schema: a choice; tiers and conditions are short YAML.
    assert f'<select id="f-{i}.kind" name="{i}.kind"' in programs
    assert f'name="{i}.tiers" value="[1, 2]"' in programs
    assert f'name="{i}.eligible_when"' in programs
    matrix = client.get(f"/studio/{version.pk}/section/risk_matrix/").content.decode()
    assert 'name="-.bands"' in matrix and 'name="-.rows"' in matrix
    assert client.get(f"/studio/{version.pk}/section/nonsense/").status_code == 404


def test_a_program_edit_keeps_the_comments_and_reruns_the_examples(
    studio_users: dict[str, Any],
) -> None:
    client, version = _author(studio_users)
    i = _index(version, "programs", "community_responder")
    # Community responders may also take tier 3 calls.
    saved = client.post(f"/studio/{version.pk}/section/programs/",
                        {f"{i}.tiers": "[1, 2, 3]", f"{i}.label": "Community responders (STAR-style)"},
                        follow=True).content.decode()  # fmt: skip
    version.refresh_from_db()
    assert "    tiers: [1, 2, 3]\n" in version.yaml_text
    # The comment citing the report beside the program is still there.
    assert "# Denver STAR's screen (report 1233-1241)" in version.yaml_text
    assert f"Saved programs[{i}].tiers. valid;" in saved  # the unchanged label is not saved
    total = len(version.example_results)
    assert (
        version.valid
        and total > 0
        and f"{version.examples_passed}/{total} example calls pass" in saved
    )
    # Taking tier 1 away leaves tier 1's default without a program: saved, shown, invalid.
    client.post(f"/studio/{version.pk}/section/programs/", {f"{i}.tiers": "[2, 3]"})
    version.refresh_from_db()
    assert not version.valid and version.problems[0]["path"].startswith("defaults.tier_programs")


def test_a_schema_problem_is_saved_in_the_draft_and_shown_at_its_field(
    studio_users: dict[str, Any],
) -> None:
    client, version = _author(studio_users)
    i = _index(version, "questions", "threat_to_life")
    client.post(f"/studio/{version.pk}/section/questions/", {f"{i}.if_yes": "{likelihood: 9}"})
    version.refresh_from_db()
    assert not version.valid  # saved as a draft, never approvable (test_versions)
    page = client.get(f"/studio/{version.pk}/section/questions/").content.decode()
    field = page[page.index(f'id="f-{i}.if_yes"') :][:600]
    assert 'aria-invalid="true"' in field and f"questions[{i}].if_yes" in page
    assert "9 is greater than the maximum of 5" in page[page.index(f'id="e-{i}.if_yes"') :][:300]


def test_a_value_that_does_not_read_is_refused_at_the_field_and_nothing_saved(
    studio_users: dict[str, Any],
) -> None:
    client, version = _author(studio_users)
    before = version.yaml_text
    i = _index(version, "programs", "community_responder")
    response = client.post(f"/studio/{version.pk}/section/programs/", {f"{i}.tiers": "[1, 2"})
    assert response.status_code == 422
    page = response.content.decode()
    assert f'id="e-{i}.tiers"' in page and 'value="[1, 2"' in page
    version.refresh_from_db()
    assert version.yaml_text == before


def test_an_example_call_edited_in_its_form_passes_or_fails(studio_users: dict[str, Any]) -> None:
    client, version = _author(studio_users)
    page = client.get(f"/studio/{version.pk}/section/examples/").content.decode()
    assert 'name="0.expect"' in page and 'name="0.answers"' in page
    client.post(f"/studio/{version.pk}/section/examples/", {"0.expect": "{tier: 4}"})
    version.refresh_from_db()
    first = version.example_results[0]
    assert version.valid and not first["passed"] and first["index"] == 0


def test_only_authors_save_and_only_drafts(studio_users: dict[str, Any]) -> None:
    _client, version = _author(studio_users)
    approver = Client()
    approver.force_login(studio_users["approver"])
    assert approver.get(f"/studio/{version.pk}/section/programs/").status_code == 200
    refused = approver.post(f"/studio/{version.pk}/section/programs/", {"0.tiers": "[1]"})
    assert refused.status_code == 403


NEW_ITEMS: dict[str, dict[str, str]] = {
    "questions": {"new.id": "caller_is_child", "new.text": "Is the caller a child?",
                  "new.unknown_as": "no", "new.if_yes": "{likelihood: 2}"},
    "programs": {"new.id": "mobile_outreach", "new.label": "Mobile outreach",
                 "new.kind": "civilian", "new.tiers": "[1, 2]",
                 "new.hours": '[{days: [mon, tue, wed, thu, fri], from: "08:00", to: "16:00"}]',
                 "new.fallback": "community_responder"},
    "call_types": {"new.id": "lost_child", "new.label": "Lost child",
                   "new.category": "wellness_check", "new.tier": "1",
                   "new.risk": "{likelihood: 1, consequence: 2}",
                   "new.questions": "[medical_emergency, weapon]",
                   "new.programs": "[community_responder, police]"},
    "rules": {"new.id": "child_in_danger", "new.when": '{victim_in_danger: "yes"}',
              "new.call_types": "[welfare_check]", "new.tier": "3",
              "new.reason": "A child in danger: police lead."},
    "examples": {"new.name": "A calm welfare check", "new.call_type": "welfare_check",
                 "new.answers": '{medical_emergency: "no", weapon: "no", violence: "no", '
                                'substance_escalating: "no", caller_requests_police: "no"}',
                 "new.expect": "{tier: 1, first_program: community_responder}"},
}  # fmt: skip


@pytest.mark.parametrize("section", list(NEW_ITEMS))
def test_an_item_is_added_through_its_form_and_removed_again(
    studio_users: dict[str, Any], section: str
) -> None:
    from rightresponse.core.triage import read_yaml_text

    client, version = _author(studio_users)
    before = read_yaml_text(version.yaml_text, "t")[section]
    page = client.get(f"/studio/{version.pk}/section/{section}/").content.decode()
    assert 'id="add-form"' in page and 'name="new.' in page
    added = client.post(f"/studio/{version.pk}/section/{section}/", {**NEW_ITEMS[section], "add": "1"},
                        follow=True)  # fmt: skip
    version.refresh_from_db()
    after = read_yaml_text(version.yaml_text, "t")[section]
    assert len(after) == len(before) + 1
    new = after[-1]
    key = "name" if section == "examples" else "id"
    assert new[key] == NEW_ITEMS[section][f"new.{key}"]
    assert version.valid, version.problems
    assert version.examples_passed == len(version.example_results)
    assert f"Added {new[key]}" in added.content.decode()
    # The comments of the file are still there.
    assert "# Seattle Risk Managed Demand Matrix (Draft), report 1127-1135" in version.yaml_text
    removed = client.post(f"/studio/{version.pk}/section/{section}/",
                          {"remove": str(len(after) - 1)}, follow=True)  # fmt: skip
    version.refresh_from_db()
    assert read_yaml_text(version.yaml_text, "t")[section] == before
    assert f"Removed {section}[{len(after) - 1}]" in removed.content.decode()


def test_a_new_item_that_does_not_read_is_refused_at_its_field(
    studio_users: dict[str, Any],
) -> None:
    client, version = _author(studio_users)
    before = version.yaml_text
    posted = {**NEW_ITEMS["programs"], "new.tiers": "[1, 2", "add": "1"}
    response = client.post(f"/studio/{version.pk}/section/programs/", posted)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="e-new.tiers"' in page and 'value="[1, 2"' in page
    assert 'value="Mobile outreach"' in page  # what was typed is kept
    version.refresh_from_db()
    assert version.yaml_text == before


def test_removing_a_referenced_item_shows_each_broken_reference_at_its_field(
    studio_users: dict[str, Any],
) -> None:
    from rightresponse.core.triage import read_yaml_text

    client, version = _author(studio_users)
    i = _index(version, "programs", "dv_advocate")
    client.post(f"/studio/{version.pk}/section/programs/", {"remove": str(i)})
    version.refresh_from_db()
    assert not version.valid
    data = read_yaml_text(version.yaml_text, "t")
    uses = [j for j, ct in enumerate(data["call_types"]) if "dv_advocate" in ct["programs"]]
    assert uses
    paths = {p["path"] for p in version.problems}
    for j in uses:
        k = data["call_types"][j]["programs"].index("dv_advocate")
        assert f"call_types[{j}].programs[{k}]" in paths
    # The problems list links each to its field; the call types' form shows it there.
    page = client.get(f"/studio/{version.pk}/section/programs/").content.decode()
    j = uses[0]
    assert f'href="/studio/{version.pk}/section/call_types/#f-{j}.programs"' in page
    call_types = client.get(f"/studio/{version.pk}/section/call_types/").content.decode()
    assert (
        "unknown program &#x27;dv_advocate&#x27;"
        in call_types[call_types.index(f'id="e-{j}.programs"') :][:300]
    )
    # An index that is not there is refused, nothing changes.
    text = version.yaml_text
    client.post(f"/studio/{version.pk}/section/programs/", {"remove": "999"})
    version.refresh_from_db()
    assert version.yaml_text == text


def test_a_section_the_schema_gains_later_gets_its_form(
    studio_users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another branch adds a top-level section to the schema: its form is built from the
    schema with no change to the studio."""
    import copy

    from rightresponse.core.triage.loader import protocol_schema
    from rightresponse.studio import sections

    schema = copy.deepcopy(protocol_schema())
    schema["properties"]["flag_rules"] = {
        "type": "array",
        "items": {"type": "object", "required": ["id"], "properties": {
            "id": {"$ref": "#/$defs/id"}, "raise_tier_to": {"$ref": "#/$defs/tier"}}},
    }  # fmt: skip
    monkeypatch.setattr(sections, "protocol_schema", lambda: schema)
    found = sections._all_sections()
    assert found["flag_rules"] == "Flag rules" and list(found)[:8] == list(SECTIONS)
    monkeypatch.setitem(sections.SECTIONS, "flag_rules", "Flag rules")
    client, version = _author(studio_users)
    version.yaml_text += "\nflag_rules:\n  - id: violent_history\n    raise_tier_to: 3\n"
    version.save()
    page = client.get(f"/studio/{version.pk}/section/flag_rules/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'name="0.raise_tier_to"' in text and 'name="new.raise_tier_to"' in text
