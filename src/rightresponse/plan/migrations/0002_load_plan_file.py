"""Mirror the plan file's actions and steps into the database (rerun ``rightresponse
plan_sync`` after editing the file)."""

from pathlib import Path

from django.db import migrations

from rightresponse.core.plan import load_plan

PLAN_FILE = Path(__file__).resolve().parents[1] / "catalog" / "plan.yaml"


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    Action = apps.get_model("plan", "Action")
    Step = apps.get_model("plan", "Step")
    catalog = load_plan(PLAN_FILE)
    actions = {}
    for a in catalog.actions.values():
        actions[a.id], _ = Action.objects.update_or_create(slug=a.id, defaults={"title": a.title})
    for s in catalog.steps.values():
        Step.objects.update_or_create(
            code=s.id,
            defaults={
                "action": actions[s.action],
                "phase": s.phase,
                "area": s.area,
                "category": s.category,
                "summary": s.summary,
                "report_line_start": s.report_lines[0],
                "report_line_end": s.report_lines[1],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("plan", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
