"""What a call becomes, the case and transfer lifecycles, and the virtual / hotline figures
(no database)."""

from datetime import UTC, datetime, timedelta

import pytest

from rightresponse.core.intake import (
    CaseRow,
    CaseTransitionError,
    TransferRow,
    check_case_transition,
    check_transfer_transition,
    hotline_figures,
    intake_outcome,
    virtual_reporting_figures,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def test_tier0_is_a_case_field_tiers_are_incidents_screened_out_is_neither() -> None:
    assert intake_outcome(0, False, "noise") == "virtual_case"
    assert intake_outcome(3, False, "assault") == "incident"
    assert intake_outcome(2, True, "welfare_check") == "none"
    assert intake_outcome(None, False, "welfare_check") == "none"


def test_lifecycles_name_what_is_allowed() -> None:
    check_case_transition("initiated", "elevated")
    with pytest.raises(CaseTransitionError, match="it may go to nothing"):
        check_case_transition("abandoned", "completed")
    check_transfer_transition("accepted", "handed_back")
    with pytest.raises(CaseTransitionError, match="accepted, declined"):
        check_transfer_transition("requested", "closed")


def test_virtual_figures_are_not_measurable_without_data() -> None:
    figures = virtual_reporting_figures([])
    assert figures["virtual_reports_initiated"] == 0
    assert figures["virtual_reports_completion_rate"] is None
    assert figures["virtual_report_completion_time"] is None


def test_virtual_figures() -> None:
    rows = [
        CaseRow("911", "completed", T0, minutes(2), minutes(12), True),
        CaseRow("online", "completed", T0, minutes(30), minutes(40), True),
        CaseRow("311", "abandoned", T0, None, minutes(5), False),
        CaseRow("911", "elevated", T0, minutes(1), minutes(3), False),
        CaseRow("911", "initiated", T0, None, None, False),
    ]
    f = virtual_reporting_figures(rows)
    assert f["virtual_reports_initiated"] == 5 and f["virtual_reports_completed"] == 2
    assert f["virtual_reports_completion_rate"] == 50.0  # 2 of the 4 closed
    assert f["virtual_reports_abandoned_rate"] == 25.0
    assert f["virtual_report_completion_time"] == 26.0  # median of 12 and 40
    assert f["virtual_queue_time_to_answer"] == 2.0  # median of 2, 30, 1
    assert f["virtual_contact_time"] == 10.0
    assert f["virtual_routed_from_911"] == 60.0
    assert f["virtual_911_callers_advised_direct"] == 100.0


def test_hotline_figures() -> None:
    rows = [
        TransferRow("988", "closed", T0, minutes(1), "resolved"),
        TransferRow("988", "handed_back", T0, minutes(3), ""),
        TransferRow("211", "declined", T0, minutes(2), ""),
        TransferRow("311", "requested", T0, None, ""),
    ]
    f = hotline_figures(rows)
    assert f["hotline_transfers_from_911"] == 4
    assert f["hotline_accepted_share"] == pytest.approx(66.7)
    assert f["hotline_speed_of_answer"] == 2.0
    assert f["hotline_elevated_share"] == 50.0 and f["hotline_resolved_share"] == 50.0
    assert hotline_figures([])["hotline_elevated_share"] is None
