"""The data dictionary (core/dictionary.py) is the one source of labels: the doc is
generated from it, and durations read in minutes and seconds."""

from __future__ import annotations

from pathlib import Path

from rightresponse.core.dictionary import dictionary_markdown, duration, keys, label

DOC = Path(__file__).resolve().parents[2] / "docs" / "data-dictionary.md"


def test_doc_is_generated_from_the_dictionary() -> None:
    assert DOC.read_text(encoding="utf-8") == dictionary_markdown(), (
        "docs/data-dictionary.md is stale: run `rightresponse data-dictionary`"
    )


def test_every_key_has_a_plain_label() -> None:
    for key in keys():
        assert label(key) != key and "_" not in label(key), key


def test_durations_in_minutes_and_seconds() -> None:
    assert duration(300.0) == "5 min 00 s"
    assert duration(1320.0) == "22 min 00 s"
    assert duration(42) == "42 s"
    assert duration(4440) == "1 h 14 min"
    assert duration(None) == "not measurable"
