"""import-calls on bad input prints a clear message (the place and the reason), never a
traceback (issue 10, item 10): a field over the CSV module's 128 KB limit and calls dated
year 1 or 2099 (refused by the received-time window, core/triage/received.py). A database
that was never migrated: tests/analytics/test_analytics_data_dir.py."""

from __future__ import annotations

import csv
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from rightresponse.analytics.models import ImportRun
from rightresponse.analytics.selectors import SAMPLES_DIR

pytestmark = pytest.mark.django_db
SAMPLE = SAMPLES_DIR / "seattle_east_c3_2018-2023.csv"
SCRIPT = Path(sys.executable).parent / "rightresponse"


def _rows() -> tuple[str, list[str]]:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    return lines[0], lines[1:6]


def _import(path: Path) -> str:
    out = StringIO()
    call_command(
        "import_calls", str(path), "--profile", "seattle-call-data", "--no-progress", stdout=out
    )
    return out.getvalue()


def test_calls_dated_year_1_or_2099_are_rejected_with_the_reason(tmp_path: Path) -> None:
    header, good = _rows()
    when = "11/04/2023 6:08:26 PM"
    assert when in good[0]
    year1 = good[0].replace(when, "01/01/0001 6:08:26 PM").replace("2023000319821", "A1")
    future = good[0].replace(when, "06/01/2099 6:08:26 PM").replace("2023000319821", "A2")
    path = tmp_path / "calls.csv"
    path.write_text("\n".join([header, *good[:3], year1, future]) + "\n", encoding="utf-8")
    out = _import(path)
    assert "5 rows read, 3 imported, 0 already stored, 2 rejected" in out
    with open(ImportRun.objects.get().rejects_path, encoding="utf-8", newline="") as handle:
        rejects = list(csv.DictReader(handle))
    assert [(r["line"], r["column"]) for r in rejects] == [
        ("5", "Original Time Queued"),
        ("6", "Original Time Queued"),
    ]
    assert all(r["reason"].startswith("received outside the accepted window") for r in rejects)


def test_a_field_over_128_kb_is_a_message_with_its_line(tmp_path: Path) -> None:
    header, good = _rows()
    fields = next(csv.reader([good[1]]))
    # The clearance description: over the csv module's limit, and spanning two lines, so
    # line numbers are counted record by record (the csv module reads the file).
    fields[1] = "x" * 140_000 + "\nmore"
    buffer = StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(fields)
    bad_time = "," + good[2].split(",", 1)[1]  # no call id: a reject, so lines are counted
    path = tmp_path / "calls.csv"
    path.write_text(
        "\n".join([header, good[0], buffer.getvalue().rstrip("\n"), bad_time]) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match=r"calls\.csv: line 3: field larger than field limit"):
        _import(path)
    # and a header that long
    long_header = tmp_path / "header.csv"
    long_header.write_text('"' + "h" * 140_000 + '"\n1\n', encoding="utf-8")
    with pytest.raises(CommandError, match=r"header\.csv: cannot read the header"):
        _import(long_header)
