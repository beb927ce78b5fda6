"""The console commands, run as a user runs them: the real `rightresponse` script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "rightresponse"
DEFAULT = ROOT / "protocols" / "default.yaml"
BAD = ROOT / "tests" / "core" / "triage" / "bad_protocols"


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args], input=stdin, capture_output=True, text=True, timeout=60, cwd=ROOT
    )


def test_triage_prints_the_decision_as_json() -> None:
    call = {"call_type": "behavioral_crisis", "answers": {"weapon": "no", "violence": "unknown"}}
    result = run("triage", stdin=json.dumps(call))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["tier"] == 2 and decision["lead"] == "civilian"
    assert decision["ask_next"][0] == "violence"


def test_triage_explain_is_for_a_person() -> None:
    call = {"call_type": "shots_fired", "answers": {}}
    result = run("triage", "--explain", "--protocol", str(DEFAULT), stdin=json.dumps(call))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Tier 4: Police response only (lead: police)")
    assert "Send: Police" in result.stdout and "Why:" in result.stdout


def test_unknown_ids_exit_2_naming_them() -> None:
    call = {"call_type": "ufo_sighting", "answers": {"has_a_dog": "yes"}}
    result = run("triage", stdin=json.dumps(call))
    assert result.returncode == 2
    assert "'ufo_sighting'" in result.stderr and "'has_a_dog'" in result.stderr
    assert result.stdout == ""


def test_not_json_exits_2() -> None:
    result = run("triage", stdin="call_type=parking")
    assert result.returncode == 2 and "stdin is not JSON" in result.stderr


def test_protocol_check_passes_the_default() -> None:
    result = run("protocol", "check", str(DEFAULT))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid" in result.stdout and ", 0 failed." in result.stdout


def test_protocol_check_reports_a_failing_example(tmp_path: Path) -> None:
    text = DEFAULT.read_text().replace(
        "expect: {tier: 4, lead: police, first_program: police, band: extreme}",
        "expect: {tier: 1, lead: police, first_program: police, band: extreme}",
    )
    path = tmp_path / "city.yaml"
    path.write_text(text)
    result = run("protocol", "check", str(path))
    assert result.returncode == 1
    assert (
        "FAIL examples[13] 'Shots fired: police' (shots_fired): expected tier 1, got 4"
        in result.stdout
    )
    assert "1 failed" in result.stdout


def test_protocol_check_reports_an_invalid_file(tmp_path: Path) -> None:
    path = tmp_path / "matrix.yaml"
    shutil.copy(BAD / "matrix_4x5.yaml", path)
    result = run("protocol", "check", str(path))
    assert result.returncode == 1
    assert "at risk_matrix.rows: the risk matrix must be 5 x 5" in result.stderr


@pytest.mark.parametrize("name", ["duplicate_key.yaml", "not_yaml.yaml"])
def test_triage_with_an_invalid_protocol_exits_1(name: str) -> None:
    result = run("triage", "--protocol", str(BAD / name), stdin="{}")
    assert result.returncode == 1 and str(BAD / name) in result.stderr
