"""Form fields with the bounds the database and the calendar need, shared by every page
form, so a number or date outside them is a form error naming the field, never a server
error (issue 10, item 10: 2^63 in a capacity or an id field; year 1 in a date field)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

# Ids are 64-bit (BigAutoField); a larger number is no record's id.
RECORD_ID_MAX = 2**63 - 1
# Counts stored in PositiveIntegerField, 32-bit on PostgreSQL; a service's places, a
# waitlist or a family are far below this anyway.
COUNT_MAX = 1_000_000
# Dates people enter about the present city: older or later dates are typing mistakes, and
# year 1 or 9999 break date arithmetic (a period before year 1 does not exist).
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)


def record_id_field(**kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(min_value=1, max_value=RECORD_ID_MAX, **kwargs)


def count_field(*, maximum: int = COUNT_MAX, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(min_value=0, max_value=maximum, **kwargs)


class BoundedDateField(forms.DateField):
    """A date between 1900 and 2100; the HTML date input shows the same bounds."""

    default_validators = [
        MinValueValidator(EARLIEST, message="Enter a date from 1900 on."),
        MaxValueValidator(LATEST, message="Enter a date before 2101."),
    ]

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        attrs = super().widget_attrs(widget)
        if isinstance(widget, forms.DateInput):
            attrs.update({"min": EARLIEST.isoformat(), "max": LATEST.isoformat()})
        return attrs
