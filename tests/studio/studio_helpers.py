"""Helpers shared by the studio tests."""

from __future__ import annotations

PASSWORD = "correct-horse-battery-9"
CARE_VIOLENCE_RULE = (
    '    tier: 3\n    reason: "Physical violence: police lead, with civilian support."'
)

# A trespass where the caller reports violence: tier 3 (police lead) under the default
# protocol, tier 2 (civilians lead) after the edit below.
VIOLENT_TRESPASS = {
    "call_type": "trespass",
    "answers": {"violence": "yes", "weapon": "no", "threat_to_life": "no",
                "caller_requests_police": "no"},
}  # fmt: skip


def lower_care_violence_rule(text: str) -> str:
    """The edit the tests make: rule violence_in_care_call from tier 3 to tier 2."""
    assert text.count(CARE_VIOLENCE_RULE) == 1
    return text.replace(CARE_VIOLENCE_RULE, CARE_VIOLENCE_RULE.replace("tier: 3", "tier: 2"))
