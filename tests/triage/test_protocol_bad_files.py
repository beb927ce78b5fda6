"""A protocol file that is not one (another encoding, a device, a pipe, a directory, far too
large) is refused with a message naming the file and the reason: by `protocol check`
(no traceback, no hang), the call-taker page (503) and the triage API (503). Issue 10,
item 10."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rightresponse.core.triage import ProtocolError, load_protocol
from rightresponse.core.triage.loader import MAX_PROTOCOL_BYTES

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(sys.executable).parent / "rightresponse"
DEFAULT = ROOT / "protocols" / "default.yaml"


def _accent_line() -> int:
    text = DEFAULT.read_text(encoding="utf-8")
    return text[: text.index("name:")].count("\n") + 1


@pytest.fixture
def latin1(tmp_path: Path) -> Path:
    """The default protocol with one accented word saved in Latin-1, as an editor might."""
    text = DEFAULT.read_text(encoding="utf-8").replace("name:", "name: Caf\u00e9 ", 1)
    path = tmp_path / "latin1.yaml"
    path.write_bytes(text.encode("latin-1", errors="replace"))
    return path


def _bad_files(tmp_path: Path, latin1: Path) -> dict[str, tuple[Path, str]]:
    zero = tmp_path / "zero.yaml"
    zero.symlink_to("/dev/zero")
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"# " + b"x" * MAX_PROTOCOL_BYTES + b"\n")
    return {
        "latin1": (latin1, "not UTF-8 text (byte 0xe9)"),
        "dev_zero": (zero, "not a regular file"),
        "fifo": (fifo, "not a regular file"),
        "directory": (tmp_path, "not a regular file"),
        "huge": (huge, "larger than 5 MB"),
    }


@pytest.mark.parametrize("kind", ["latin1", "dev_zero", "fifo", "directory", "huge"])
def test_protocol_check_refuses_with_a_message(tmp_path: Path, latin1: Path, kind: str) -> None:
    path, reason = _bad_files(tmp_path, latin1)[kind]
    result = subprocess.run(
        [str(SCRIPT), "protocol", "check", str(path)],
        capture_output=True,
        text=True,
        timeout=30,  # /dev/zero and a pipe used to hang here
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert str(path) in result.stderr and reason in result.stderr
    if kind == "latin1":
        assert f"at line {_accent_line()}:" in result.stderr  # the place, for the author


def test_the_loader_names_the_line_of_the_bad_byte(latin1: Path) -> None:
    with pytest.raises(ProtocolError) as error:
        load_protocol(latin1)
    assert error.value.problems[0][0] == f"line {_accent_line()}"


@pytest.mark.django_db
def test_the_page_and_the_api_answer_503_with_the_reason(
    logged_in: Any, api_client: Any, settings: Any, latin1: Path
) -> None:
    settings.RIGHTRESPONSE_PROTOCOL = str(latin1)
    page = logged_in("call_taker").get("/triage/")
    assert page.status_code == 503
    assert "not UTF-8 text" in page.content.decode()
    api = api_client("call_taker").get("/api/triage/protocol")
    assert api.status_code == 503
    assert "not UTF-8 text" in api.content.decode()
    settings.RIGHTRESPONSE_PROTOCOL = "/no/such/protocol.yaml"
    assert logged_in("call_taker").get("/triage/").status_code == 503
