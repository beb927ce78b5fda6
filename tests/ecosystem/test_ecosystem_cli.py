"""The hsds-export and hsds-import console commands."""

import json

import pytest
from django.core.management import CommandError, call_command

from rightresponse.ecosystem.models import Location, Service

pytestmark = pytest.mark.django_db


def test_export_then_import_from_files(tmp_path, directory, capsys) -> None:
    out = tmp_path / "hsds.json"
    call_command("hsds_export", "-o", str(out))
    doc = json.loads(out.read_text())
    assert len(doc["services"]) == 3 and "Hidden Lane" not in out.read_text()
    zipped = tmp_path / "hsds.zip"
    call_command("hsds_export", "--csv", "-o", str(zipped))
    Service.objects.all().delete()
    Location.objects.filter(confidential=False).delete()
    call_command("hsds_import", str(zipped))
    assert "Imported 2 organisations, 1 locations, 3 services" in capsys.readouterr().out
    assert Service.objects.count() == 3


def test_import_lists_every_problem_and_writes_nothing(tmp_path, directory) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"services": [{"id": "x", "name": "n", "status": "open"}]}))
    with pytest.raises(CommandError) as info:
        call_command("hsds_import", str(bad))
    message = str(info.value)
    assert (
        "nothing imported" in message
        and "$.services[0].status" in message
        and "$.services[0].id" in message
    )
    with pytest.raises(CommandError, match="no such file"):
        call_command("hsds_import", str(tmp_path / "missing.json"))
