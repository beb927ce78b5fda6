"""Input types the API's schemas share, so the server validates what the spec says (issue 20).

Each type carries its rule twice from one definition: pydantic enforces it and the JSON
Schema in /api/openapi.json states it (``pattern``, ``minimum``/``maximum``,
``minLength``). Request bodies derive from ``StrictIn``: a JSON ``true`` is not the
integer 1 and a number is not a date-time (pydantic strict mode), while date-times and
UUIDs are still read from their ISO / canonical strings.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    model_validator,
)

# Integer columns: ids are 64-bit (BigAutoField), counts are PositiveIntegerField (32-bit
# on PostgreSQL); a larger value would overflow in the database driver (a 500 before).
MAX_BIGINT = 2**63 - 1
MAX_INT = 2**31 - 1

# JSON Schema patterns (ECMA 262): no NUL character; and at least one visible character.
NO_NUL_PATTERN = r"^[^\u0000]*$"
NOT_BLANK_PATTERN = r"^[^\u0000]*[^\u0000\s][^\u0000]*$"


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; SQLite would store it and break exports.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty or only spaces")
    return value


def text(max_length: int, *, required: bool = False) -> Any:
    """A string of at most ``max_length`` characters without NUL; ``required``: not blank."""
    if required:
        return Annotated[
            str,
            Field(
                min_length=1,
                max_length=max_length,
                json_schema_extra={"pattern": NOT_BLANK_PATTERN},
            ),
            AfterValidator(_no_nul),
            AfterValidator(_not_blank),
        ]
    return Annotated[
        str,
        Field(max_length=max_length, json_schema_extra={"pattern": NO_NUL_PATTERN}),
        AfterValidator(_no_nul),
    ]


def _json_integer(value: Any) -> Any:
    """A JSON integer: ``true`` is not 1 and ``"1"`` is not 1, but ``4.0`` is 4 (JSON Schema
    counts a number with a zero fraction as an integer, and so do clients' serialisers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a JSON integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be a whole number")
        return int(value)
    return value


def integer(ge: int | None = None, le: int | None = None) -> Any:
    """An integer for request bodies (StrictIn), within [ge, le]: pydantic's strict int
    refuses 4.0. The bounds sit on the int itself so the spec shows minimum/maximum."""
    return Annotated[int, Field(ge=ge, le=le), Strict(False), BeforeValidator(_json_integer)]


Int = integer()
Id = integer(1, MAX_BIGINT)
Count = integer(0, MAX_INT)

_ISO_NUMBER = re.compile(r"^\s*[+-]?\d+(\.\d*)?\s*$")


def _iso_text(value: Any) -> Any:
    """Refuse numbers where a date or date-time is expected: pydantic would read 1700000000
    as Unix time, and a client that sent a number meant something else."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and _ISO_NUMBER.match(value)
    ):
        raise ValueError("must be an ISO 8601 string, not a number")
    return value


# Years a record of this system can carry; outside them a date is a typing slip (0001,
# 9999), and the database or Python's date arithmetic may overflow.
FIRST_YEAR, LAST_YEAR = 1900, 2199
YEAR_PATTERN = r"^(19|20|21)[0-9]{2}-"


def _year_in_range(value: date) -> date:
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(f"year {value.year} is out of range ({FIRST_YEAR}-{LAST_YEAR})")
    return value


_DATE_RULE = {"pattern": YEAR_PATTERN, "description": f"years {FIRST_YEAR}-{LAST_YEAR}"}
DateTime = Annotated[
    datetime,
    Strict(False),
    BeforeValidator(_iso_text),
    AfterValidator(_year_in_range),
    Field(json_schema_extra=_DATE_RULE),
]
# A date-time with its offset (RFC 3339 requires one): a moment, not a guess.
AwareDateTime = Annotated[
    AwareDatetime,
    Strict(False),
    BeforeValidator(_iso_text),
    AfterValidator(_year_in_range),
    Field(json_schema_extra=_DATE_RULE),
]
Day = Annotated[
    date,
    Strict(False),
    BeforeValidator(_iso_text),
    AfterValidator(_year_in_range),
    Field(json_schema_extra=_DATE_RULE),
]
Uuid = Annotated[UUID, Strict(False)]


class StrictIn(Schema):
    """Base of request bodies: JSON types are not coerced (no bool as int, no "1" as 1)."""

    model_config = ConfigDict(strict=True)

    @model_validator(mode="wrap")
    @classmethod
    def _json_object_only(cls, data: Any, handler: Any) -> Any:
        # ninja's Schema reads attributes of any object, so a bare number as the body of an
        # all-optional schema (a consent revocation) was read as "no fields" and accepted.
        if not isinstance(data, dict | cls):
            raise ValueError("the body must be a JSON object")
        return handler(data)
