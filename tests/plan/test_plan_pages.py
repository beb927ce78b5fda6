"""Plan pages, API, services and the public dashboard on the real database."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from rightresponse.accounts.models import AuditEvent
from rightresponse.plan import services
from rightresponse.plan.models import PilotArm, PublicComment, Step
from rightresponse.plan.selectors import pilot_evaluation

pytestmark = pytest.mark.django_db


def test_step_update_keeps_history_and_audits(plan: Any, users: dict[str, Any]) -> None:
    step = Step.objects.get(code="P1-GOV-07")
    services.step_update(
        step,
        users["analyst"],
        note="kick-off",
        status="in_progress",
        committee="Executive Steering Committee",
    )
    fields = sorted(step.changes.values_list("field", flat=True))
    assert fields == ["committee", "status"]
    assert step.changes.get(field="status").old == "not_started"
    assert (
        AuditEvent.objects.filter(
            action="write", purpose="step_update", object_type="plan.Step", object_id="P1-GOV-07"
        ).count()
        == 1
    )
    with pytest.raises(services.PlanError, match="status: 'finished' is not one of"):
        services.step_update(step, users["analyst"], status="finished")
    with pytest.raises(services.PlanError, match="due_on: before start_on"):
        services.step_update(
            step, users["analyst"], start_on=date(2026, 5, 1), due_on=date(2026, 1, 1)
        )


def test_pages_for_managers_and_refused_to_others(plan: Any, logged_in: Any) -> None:
    analyst = logged_in("analyst")
    for url in (
        "/plan/",
        "/plan/?by=area",
        "/plan/?by=category&status=done",
        "/plan/steps/P1-GOV-04/",
        "/plan/committee/",
        "/plan/comments/",
    ):
        response = analyst.get(url)
        assert response.status_code == 200, url
    assert analyst.get("/plan/steps/P9-XXX-01/").status_code == 404
    assert logged_in("responder").get("/plan/").status_code == 403
    assert Client().get("/plan/").status_code == 302  # to the login page


def test_step_page_post_saves_and_shows_history(plan: Any, logged_in: Any) -> None:
    analyst = logged_in("analyst")
    response = analyst.post(
        "/plan/steps/P1-RSP-06/",
        {
            "status": "planning",
            "committee": "Alternative Responses Committee",
            "note": "staffing study started",
        },
    )
    assert response.status_code == 302
    page = analyst.get("/plan/steps/P1-RSP-06/").content.decode()
    assert "staffing study started" in page
    assert "Alternative Responses Committee" in page
    bad = analyst.post(
        "/plan/steps/P1-RSP-06/",
        {"status": "planning", "start_on": "2026-05-01", "due_on": "2026-01-01"},
    )
    assert bad.status_code == 200 and "due_on: before start_on" in bad.content.decode()


def test_pilot_evaluation_uses_pre_post_and_did(plan: Any, users: dict[str, Any]) -> None:
    step = Step.objects.get(code="P1-RSP-01")
    pilot = services.pilot_create(
        step,
        users["analyst"],
        name="Evening crisis teams",
        hypothesis="More calls without police",
        start_on=date(2026, 4, 1),
        end_on=date(2026, 9, 30),
        metric_id="civilian_response_share",
        arms=[{"role": "pilot", "areas": "3rd"}, {"role": "comparison", "areas": "2nd"}],
    )
    pilot_arm, comparison = (
        pilot.arms.get(role=PilotArm.PILOT),
        pilot.arms.get(role=PilotArm.COMPARISON),
    )
    months = [date(2026, m, 1) for m in range(1, 8)]
    services.pilot_observations_set(
        pilot_arm, users["analyst"], list(zip(months, [8, 9, 8, 20, 21, 22, 21], strict=True))
    )
    services.pilot_observations_set(
        comparison, users["analyst"], list(zip(months, [9, 9, 10, 10, 11, 10, 10], strict=True))
    )
    ev = pilot_evaluation(pilot)
    assert ev["pre_post"].effect == pytest.approx(21 - 25 / 3)
    assert ev["did"].effect == pytest.approx((21 - 25 / 3) - (10.25 - 28 / 3))
    assert ev["did"].significant
    with pytest.raises(services.PlanError, match="metric_id: 'nope' is not in the metrics catalog"):
        services.pilot_create(
            step,
            users["analyst"],
            name="x",
            hypothesis="y",
            start_on=date(2026, 1, 1),
            end_on=date(2026, 2, 1),
            metric_id="nope",
            arms=[{"role": "pilot", "areas": "a"}],
        )


def test_citistat_item_links_to_a_step(plan: Any, users: dict[str, Any], api_client: Any) -> None:
    from rightresponse.performance.models import ActionItem, CitiStatMeeting

    meeting = CitiStatMeeting.objects.create(
        title="Responsive",
        held_on=date(2026, 3, 1),
        period_start=date(2026, 2, 1),
        period_end=date(2026, 2, 28),
    )
    item = ActionItem.objects.create(
        meeting=meeting, description="Staffing plan draft", owner="OCS", due_on=date(2026, 4, 1)
    )
    step = Step.objects.get(code="P1-RSP-06")
    services.citistat_link(step, item.pk, users["analyst"])
    assert item.plan_link.step == step
    detail = api_client("analyst").get("/api/plan/steps/P1-RSP-06").json()
    assert detail["citistat_items"][0]["description"] == "Staffing plan draft"
    with pytest.raises(services.PlanError, match="item: no CitiStat action item 999999"):
        services.citistat_link(step, 999999, users["analyst"])


def test_public_comments_are_moderated_throttled_and_spam_safe(
    plan: Any, users: dict[str, Any]
) -> None:
    public = Client()
    response = public.post(
        "/progress/", {"body": "Please add weekend hours.", "name": "Jo", "step": "P1-RSP-01"}
    )
    assert response.status_code == 302
    comment = PublicComment.objects.get()
    assert comment.status == PublicComment.PENDING
    assert "weekend hours" not in public.get("/progress/").content.decode()  # not before moderation
    services.comment_moderate(comment, users["supervisor"], approve=True)
    assert "weekend hours" in public.get("/progress/").content.decode()
    # Links refused; the hidden field catches bots; a flood from one address is stopped.
    assert (
        "links are not accepted"
        in public.post("/progress/", {"body": "buy at https://spam.example"}).content.decode()
    )
    assert public.post("/progress/", {"body": "hello", "website": "http://bot"}).status_code == 400
    for _ in range(2):
        assert public.post("/progress/", {"body": "again"}).status_code == 302
    flood = public.post("/progress/", {"body": "and again"})
    assert flood.status_code == 429 and "too many comments" in flood.content.decode()
    assert PublicComment.objects.count() == 3
    # Comment text is escaped, never run.
    services.comment_moderate(
        services.comment_submit(address="x", body="<script>alert(1)</script>"),
        users["supervisor"],
        approve=True,
    )
    assert "<script>alert(1)</script>" not in public.get("/progress/").content.decode()


def test_public_downloads_csv_and_json(plan: Any, users: dict[str, Any]) -> None:
    services.step_update(Step.objects.get(code="P1-GOV-11"), users["analyst"], status="done")
    public = Client()
    rows = list(csv.DictReader(io.StringIO(public.get("/progress/plan.csv").content.decode())))
    assert len(rows) == 103
    assert {r["step"]: r["status"] for r in rows}["P1-GOV-11"] == "Done"
    body = json.loads(public.get("/progress/plan.json").content)
    assert body["status_counts"]["done"] == 1 and len(body["steps"]) == 103
    assert body["progress_percent"] == round(100 / 103)


def test_api_read_public_write_managers(plan: Any, api_client: Any) -> None:
    assert Client().get("/api/plan/steps").json()["steps"][0]["step"] == "P1-911-01"
    analyst = api_client("analyst")
    response = analyst.patch(
        "/api/plan/steps/P1-911-04",
        {"status": "in_progress", "note": "RFP out"},
        content_type="application/json",
    )
    assert response.status_code == 200
    detail = analyst.get("/api/plan/steps/P1-911-04").json()
    assert detail["status"] == "in_progress" and detail["history"][0]["field"] == "status"
    assert (
        analyst.patch(
            "/api/plan/steps/P1-911-04", {"status": "soon"}, content_type="application/json"
        ).status_code
        == 400
    )
    assert analyst.get("/api/plan/steps/P0-X-00").status_code == 404
    assert (
        api_client("responder")
        .patch("/api/plan/steps/P1-911-04", {"status": "done"}, content_type="application/json")
        .status_code
        == 403
    )


def test_staffing_page_and_simulate_command(plan: Any, logged_in: Any) -> None:
    from django.core.management import call_command

    page = logged_in("analyst").get("/plan/staffing/?weeks=2")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Civilian responders 24/7" in html and "<svg" in html and "NENA" in html
    outside = logged_in("analyst").get("/plan/staffing/?a=/etc/passwd&weeks=1")
    assert outside.status_code == 400 and "root:" not in outside.content.decode()
    assert "is not a plan in the staffing folder" in outside.content.decode()
    bad = logged_in("analyst").get("/plan/staffing/?dataset=nope&weeks=1")
    assert bad.status_code == 400 and "no imported dataset" in bad.content.decode()
    out = io.StringIO()
    call_command(
        "simulate",
        "--staffing",
        "example-24x7.yaml",
        "--compare",
        "example-peak.yaml",
        "--weeks",
        "2",
        "--json",
        stdout=out,
    )
    body = json.loads(out.getvalue())
    assert len(body["runs"]) == 2 and body["compare"]


def test_pilot_recorded_and_evaluated_from_the_step_page(plan: Any, logged_in: Any) -> None:
    analyst = logged_in("analyst")
    response = analyst.post(
        "/plan/steps/P1-RSP-01/pilots/",
        {
            "name": "Weekend crisis teams",
            "hypothesis": "Fewer police-led calls",
            "start_on": "2026-04-01",
            "end_on": "2026-09-30",
            "metric_id": "civilian_response_share",
            "pilot_areas": "3rd precinct",
            "pilot_hours": "Fri-Sun",
            "comparison_areas": "2nd precinct",
        },
    )
    assert response.status_code == 302
    step = Step.objects.get(code="P1-RSP-01")
    pilot = step.pilots.get()
    arm = pilot.arms.get(role=PilotArm.PILOT)
    bad = analyst.post(f"/plan/arms/{arm.pk}/observations/", {"values": "2026-03-01, 8\nmarch, 9"})
    assert bad.status_code == 302
    page = analyst.get("/plan/steps/P1-RSP-01/").content.decode()
    assert "line 2: &#x27;march&#x27; is not a date" in page
    analyst.post(
        f"/plan/arms/{arm.pk}/observations/",
        {"values": "2026-02-01, 8\n2026-03-01, 9\n2026-04-01, 15\n2026-05-01, 16"},
    )
    page = analyst.get("/plan/steps/P1-RSP-01/").content.decode()
    assert "Pre/post in the pilot arm: <strong>7.00</strong>" in page
    assert "not measurable: comparison before: at least two periods are needed, got 0" in page


def test_pilot_api(plan: Any, api_client: Any) -> None:
    analyst = api_client("analyst")
    created = analyst.post(
        "/api/plan/steps/P1-RSP-01/pilots",
        {
            "name": "Evening teams",
            "hypothesis": "More civilian-led calls",
            "start_on": "2026-04-01",
            "end_on": "2026-09-30",
            "metric_id": "civilian_response_share",
            "arms": [{"role": "pilot", "areas": "3rd"}, {"role": "comparison", "areas": "2nd"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 200, created.content
    body = created.json()
    assert body["evaluation"]["pre_post"] is None and body["evaluation"]["pre_post_not_measurable"]
    pilot_arm = next(a for a in body["arms"] if a["role"] == "pilot")
    values = [
        {"period_start": f"2026-0{m}-01", "value": v}
        for m, v in zip(range(1, 7), [5, 6, 5, 9, 10, 9], strict=True)
    ]
    put = analyst.put(
        f"/api/plan/arms/{pilot_arm['id']}/observations", values, content_type="application/json"
    )
    assert put.status_code == 200 and put.json()["recorded"] == 6
    ev = analyst.get(f"/api/plan/pilots/{body['id']}").json()["evaluation"]
    assert ev["pre_post"]["effect"] == pytest.approx(28 / 3 - 16 / 3)
    bad = analyst.post(
        "/api/plan/steps/P1-RSP-01/pilots",
        {
            **{k: body[k] for k in ("name", "hypothesis", "metric_id")},
            "start_on": "2026-05-01",
            "end_on": "2026-01-01",
            "arms": [{"role": "pilot", "areas": "x"}],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "end_on: before start_on" in bad.json()["detail"]
    assert analyst.get("/api/plan/pilots/99999").status_code == 404
