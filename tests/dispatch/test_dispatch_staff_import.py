"""``rightresponse import-staff``: validated, all or nothing, bad rows named by line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from rightresponse.dispatch.models import UnitMember

pytestmark = pytest.mark.django_db

GOOD = """agency,employee_id,name,unit,capabilities,shift,username,active
test-police,P100,Officer Lee,PD-1,CIT;CEW,Mon-Fri 07:00-17:00,,yes
test-care,C200,Sam Ortiz,CARE-2,clinician;lang:es,Mon-Fri 10:00-18:00,responder,
"""


def test_import_creates_then_updates_members(tmp_path: Path, units: dict, capsys: Any) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(GOOD)
    call_command("import_staff", str(path))
    assert "2 created, 0 updated" in capsys.readouterr().out
    lee = UnitMember.objects.get(employee_id="P100")
    assert lee.unit == units["PD-1"] and lee.capabilities == ["CIT", "CEW"]
    assert UnitMember.objects.get(employee_id="C200").user.username == "responder"
    path.write_text(GOOD.replace("CIT;CEW", "CIT;CEW;EMT"))
    call_command("import_staff", str(path))
    assert UnitMember.objects.get(employee_id="P100").capabilities == ["CIT", "CEW", "EMT"]


def test_one_bad_row_imports_nothing_and_names_every_bad_line(tmp_path: Path, units: dict) -> None:
    path = tmp_path / "hr.csv"
    path.write_text(
        GOOD
        + "test-police,P101,No Unit,PD-99,CIT,24/7,,yes\n"
        + "test-police,P102,Bad Shift,PD-1,CIT,weekdays,,yes\n"
        + "nowhere,P103,Bad Cap,,telepathy,24/7,,maybe\n"
    )
    with pytest.raises(CommandError) as caught:
        call_command("import_staff", str(path))
    message = str(caught.value)
    assert "hr.csv line 4: unit 'PD-99' does not exist" in message
    assert "hr.csv line 5: service hours 'weekdays'" in message
    assert "line 6: agency 'nowhere' does not exist" in message
    assert "unknown capability 'telepathy'" in message and "active must be yes or no" in message
    assert UnitMember.objects.filter(employee_id__in=["P100", "C200"]).count() == 0


def test_missing_columns_and_missing_file_are_explained(tmp_path: Path, db: Any) -> None:
    path = tmp_path / "hr.csv"
    path.write_text("agency,name\nx,y\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("import_staff", str(path))
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_staff", str(tmp_path / "absent.csv"))
