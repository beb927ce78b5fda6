"""The ecosystem's data files, loaded and validated once: the taxonomy, the second-response
rules and the HSDS schema folder. ``settings.RIGHTRESPONSE_SECOND_RESPONSE`` may point at
a city's own rules file."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from rightresponse.core.ecosystem.second_response import SecondResponseRules, parse_rules

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
HSDS_SCHEMA_DIR = HERE / "hsds" / "schema"
TAXONOMY_NAMESPACE = uuid.UUID("6b1f7a52-4d0e-4c39-9a55-0c1e2b8f3d11")


@dataclass(frozen=True)
class Term:
    code: str
    name: str
    group: str  # category | subcategory | need | flag
    parent: str | None

    @property
    def id(self) -> str:
        return str(uuid.uuid5(TAXONOMY_NAMESPACE, f"{self.group}:{self.code}"))


@dataclass(frozen=True)
class Taxonomy:
    id: str
    name: str
    version: str
    uri: str
    categories: dict[str, str]
    subcategories: dict[str, tuple[str, str]]  # code -> (label, category)
    needs: dict[str, str]
    terms: tuple[Term, ...]

    @property
    def uuid(self) -> str:
        return str(uuid.uuid5(TAXONOMY_NAMESPACE, f"taxonomy:{self.id}"))

    def term(self, group: str, code: str) -> Term | None:
        for t in self.terms:
            if t.group == group and t.code == code:
                return t
        return None

    def term_by_id(self, term_id: str) -> Term | None:
        for t in self.terms:
            if t.id == term_id:
                return t
        return None


FLAGS = {
    "victim_service": "Victim service (VAWA/FVPSA/VOCA rules apply)",
    "accepts_referrals": "Accepts referrals",
    "waitlist": "People on the waitlist",
}


# The need a referral from an incident most likely answers, by the incident's category
# (the protocol's categories; the directory opens filtered by it, the user can widen it).
INCIDENT_NEEDS: dict[str, str] = {
    "domestic_violence": "safety_planning",
    "sexual_assault": "safety_planning",
    "behavioral_health": "mental_health",
    "wellness_check": "mental_health",
    "homelessness": "shelter",
    "medical": "medical",
    "low_acuity_disorder": "mediation",
    "violence_interrupters": "mediation",
}


@lru_cache(maxsize=1)
def taxonomy() -> Taxonomy:
    data: dict[str, Any] = yaml.safe_load((DATA_DIR / "taxonomy.yaml").read_text("utf-8"))
    categories = {code: spec["label"] for code, spec in data["categories"].items()}
    subcategories = {
        sub: (label, code)
        for code, spec in data["categories"].items()
        for sub, label in spec["subcategories"].items()
    }
    terms = [Term(code, label, "category", None) for code, label in categories.items()]
    terms += [Term(s, label, "subcategory", c) for s, (label, c) in subcategories.items()]
    terms += [Term(code, label, "need", None) for code, label in data["needs"].items()]
    terms += [Term(code, label, "flag", None) for code, label in FLAGS.items()]
    return Taxonomy(
        id=data["id"],
        name=data["name"],
        version=str(data["version"]),
        uri=data["uri"],
        categories=categories,
        subcategories=subcategories,
        needs=dict(data["needs"]),
        terms=tuple(terms),
    )


def second_response_rules() -> SecondResponseRules:
    path = Path(
        getattr(settings, "RIGHTRESPONSE_SECOND_RESPONSE", "") or DATA_DIR / "second_response.yaml"
    )
    return _rules_from(str(path), path.stat().st_mtime)


@lru_cache(maxsize=4)
def _rules_from(path: str, _mtime: float) -> SecondResponseRules:
    return parse_rules(yaml.safe_load(Path(path).read_text("utf-8")), path)
