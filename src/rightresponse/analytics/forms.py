"""Forms of the analysis pages: an upload of an export, and a protocol comparison."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import slugify

from .selectors import profile_get, profile_names
from .workflows import DRAFT, UPLOAD_SUFFIXES

MAX_UPLOAD = 512 * 1024 * 1024  # larger exports: the command line (docs/data-import.md)


def profile_choices() -> list[tuple[str, str]]:
    out = []
    for name in profile_names():
        try:
            out.append((name, profile_get(name).title))
        except ValueError:  # a broken shipped profile is not offered
            continue
    return out


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Export file (CSV or Parquet)",
        help_text="A calls-for-service export from the CAD or records system.",
    )
    profile = forms.ChoiceField(
        label="Import profile",
        help_text="How the file's columns map to calls (docs/data-import.md).",
    )
    dataset = forms.SlugField(
        label="Dataset name (optional)",
        required=False,
        help_text="Letters, digits and dashes; empty: the profile's name.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = [
            *profile_choices(),
            (DRAFT, "None fits: draft a profile from the file's columns"),
        ]

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if not file.name.lower().endswith(UPLOAD_SUFFIXES):
            raise forms.ValidationError(
                f"{file.name}: not a CSV or Parquet file (the name should end in "
                + ", ".join(UPLOAD_SUFFIXES)
                + ")."
            )
        if file.size > MAX_UPLOAD:
            raise forms.ValidationError(
                f"{file.name}: {file.size // 2**20} MB is over the page's limit of "
                f"{MAX_UPLOAD // 2**20} MB; import it with `rightresponse import-calls`."
            )
        return file

    def clean_dataset(self) -> str:
        return slugify(self.cleaned_data.get("dataset") or "")


class CompareForm(forms.Form):
    protocol_a = forms.ChoiceField(label="Protocol A (as today)")
    protocol_b = forms.ChoiceField(label="Protocol B (the change to weigh)")

    def __init__(self, choices: list[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["protocol_a"].choices = choices
        self.fields["protocol_b"].choices = choices
