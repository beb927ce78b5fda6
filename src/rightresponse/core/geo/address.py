"""Addresses as the city writes them: one normal form for matching typed text against the
city's address points ("2700 East Lake Street, Minneapolis" and "2700 E LAKE ST" match)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# USPS Publication 28 abbreviations for the words that vary most in typed addresses.
_WORDS = {
    "STREET": "ST", "STR": "ST", "AVENUE": "AVE", "AV": "AVE", "AVEN": "AVE",
    "BOULEVARD": "BLVD", "DRIVE": "DR", "ROAD": "RD", "LANE": "LN", "PLACE": "PL",
    "COURT": "CT", "TERRACE": "TER", "PARKWAY": "PKWY", "HIGHWAY": "HWY", "CIRCLE": "CIR",
    "NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W",
    "NORTHEAST": "NE", "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW",
    "FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH", "FIFTH": "5TH",
}  # fmt: skip
_UNIT_WORDS = {"APT", "UNIT", "STE", "SUITE", "#"}
_COORDS = re.compile(r"^\s*(-?\d{1,3}(?:\.\d+)?)\s*[, ]\s*(-?\d{1,3}(?:\.\d+)?)\s*$")


@dataclass(frozen=True)
class AddressPoint:
    address: str
    latitude: float
    longitude: float


def normalize_address(text: str) -> str:
    """Upper case, punctuation out, common words abbreviated, the city and anything after
    the first comma dropped, apartment numbers dropped: the key an address point is found by."""
    street = text.split(",")[0].upper()
    street = re.sub(r"[^A-Z0-9# ]+", " ", street)
    words: list[str] = []
    for word in street.split():
        if word in _UNIT_WORDS or word.startswith("#"):
            break  # "APT 3", "#3": the building is what has a location
        words.append(_WORDS.get(word, word))
    return " ".join(words)


def parse_coordinates(text: str) -> tuple[float, float] | None:
    """ "44.948, -93.232" typed or pasted as the location: (lat, lon), else None."""
    found = _COORDS.match(text or "")
    if not found:
        return None
    lat, lon = float(found.group(1)), float(found.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def match_address(
    text: str, exact: AddressPoint | None, same_number: Iterable[AddressPoint] = ()
) -> tuple[AddressPoint | None, str]:
    """The point for ``text``: the exact normal-form match when there is one, else the
    closest spelling among points with the same house number (a typo in the street name,
    never a different building). Returns the point and how it was found."""
    if exact is not None:
        return exact, "address matched"
    key = normalize_address(text)
    if not key:
        return None, "no address given"
    candidates = {normalize_address(p.address): p for p in same_number}
    close = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.85)
    if close:
        return candidates[close[0]], f"closest address point: {candidates[close[0]].address}"
    return None, "the address is not among the city's address points"
