"""The EIDD-style document ``POST /api/dispatch/eidd`` accepts, as a typed schema (issue 20).

It states in the OpenAPI document the rules ``core.dispatch.eidd.incident_from_eidd`` and
``services.incident_import_eidd`` apply (required parts, status vocabulary, tiers,
priorities, leads, outcomes, coordinates, timestamps with an offset), so a county's CAD
can build the document from the spec. Other EIDD members are allowed and kept.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, model_validator

from rightresponse.config import inputs
from rightresponse.config.inputs import AwareDateTime, StrictIn
from rightresponse.core.dispatch.eidd import EIDD_TO_STATUS

from .models import LEADS, OUTCOMES

Status = Literal[tuple(EIDD_TO_STATUS)]  # type: ignore[valid-type]
Lead = Literal[tuple(code for code, _ in LEADS)]  # type: ignore[valid-type]
Outcome = Literal[tuple(code for code, _ in OUTCOMES)]  # type: ignore[valid-type]
Tier = inputs.integer(0, 4)
Text60 = inputs.text(60)
Text200 = inputs.text(200)


class Part(StrictIn):
    model_config = ConfigDict(extra="allow")


class IncidentComponent(Part):
    incidentTrackingIdentifier: inputs.text(200) | None = None  # type: ignore[valid-type]  # noqa: N815
    localIncidentIdentifier: inputs.text(60, required=True)  # type: ignore[valid-type]  # noqa: N815
    incidentStatusCommonRegistryText: Status  # noqa: N815
    incidentTypeCommonRegistryText: inputs.text(60, required=True)  # type: ignore[valid-type]  # noqa: N815
    incidentTypeLocalText: inputs.text(60, required=True)  # type: ignore[valid-type]  # noqa: N815
    incidentInitialTypeLocalText: Text60 | None = None  # type: ignore[valid-type]  # noqa: N815
    incidentInitialCategoryText: Text60 | None = None  # type: ignore[valid-type]  # noqa: N815
    incidentPriorityCode: inputs.integer(1, 5) | None = None  # type: ignore[valid-type]  # noqa: N815
    incidentResponseTierCode: Tier | None = None  # noqa: N815
    incidentInitialResponseTierCode: Tier | None = None  # noqa: N815
    incidentLeadText: Lead | None = None  # noqa: N815
    incidentInitialLeadText: Lead | None = None  # noqa: N815


class StatusTimestamps(Part):
    received_at: AwareDateTime
    answered_at: AwareDateTime | None = None
    triaged_at: AwareDateTime | None = None
    dispatched_at: AwareDateTime | None = None
    en_route_at: AwareDateTime | None = None
    on_scene_at: AwareDateTime | None = None
    cleared_at: AwareDateTime | None = None
    closed_at: AwareDateTime | None = None


class CallPart(Part):
    callSourceText: Annotated[inputs.text(10), Field()] = ""  # type: ignore[valid-type]  # noqa: N815


class Point(Part):
    latitude: float = Field(ge=-90, le=90, allow_inf_nan=False)
    longitude: float = Field(ge=-180, le=180, allow_inf_nan=False)


class LocationByValue(Part):
    civicAddressText: Text200 = ""  # type: ignore[valid-type]  # noqa: N815
    gmlPoint: Point | None = None  # noqa: N815
    serviceAreaText: Text60 = ""  # type: ignore[valid-type]  # noqa: N815


class LocationPart(Part):
    locationByValue: LocationByValue = Field(default_factory=LocationByValue)  # noqa: N815


class Resource(Part):
    resourceIdentifier: inputs.text(40, required=True)  # type: ignore[valid-type]  # noqa: N815
    resourceTypeText: Text60 = ""  # type: ignore[valid-type]  # noqa: N815
    resourcePrimaryIndicator: bool = False  # noqa: N815
    resourceDispatchedTimestamp: AwareDateTime | None = None  # noqa: N815
    resourceReleasedTimestamp: AwareDateTime | None = None  # noqa: N815


class Note(Part):
    noteTimestamp: AwareDateTime  # noqa: N815
    noteTypeText: inputs.text(20) = "note"  # type: ignore[valid-type]  # noqa: N815
    noteFromText: Text60 = ""  # type: ignore[valid-type]  # noqa: N815
    noteToText: Text60 = ""  # type: ignore[valid-type]  # noqa: N815
    noteText: inputs.text(500) = ""  # type: ignore[valid-type]  # noqa: N815
    noteAuthorText: inputs.text(150) = ""  # type: ignore[valid-type]  # noqa: N815


class Disposition(Part):
    dispositionCodeText: inputs.text(120) = ""  # type: ignore[valid-type]  # noqa: N815
    dispositionOutcomeText: Outcome | None = None  # noqa: N815
    referralsMadeCount: inputs.integer(0, 1000) = 0  # type: ignore[valid-type]  # noqa: N815
    serviceConnectionsCount: inputs.integer(0, 1000) = 0  # type: ignore[valid-type]  # noqa: N815
    useOfForceIndicator: bool = False  # noqa: N815


class EligibleNotServed(Part):
    programText: inputs.text(60, required=True)  # type: ignore[valid-type]  # noqa: N815
    reasonCode: Literal["off_hours", "out_of_area", "none_available"]  # noqa: N815


class EiddIn(Part):
    """An EIDD-style incident document (docs/dispatch.md)."""

    incidentComponent: IncidentComponent  # noqa: N815
    incidentStatusTimestamps: StatusTimestamps  # noqa: N815
    locationComponent: list[LocationPart] = Field(max_length=10)  # noqa: N815
    callComponent: list[CallPart] = Field(default_factory=list, max_length=10)  # noqa: N815
    emergencyResourceComponent: list[Resource] = Field(default_factory=list, max_length=50)  # noqa: N815
    notesComponent: list[Note] = Field(default_factory=list, max_length=500)  # noqa: N815
    dispositionComponent: Disposition | None = None  # noqa: N815
    eligibleNotServedExtension: list[EligibleNotServed] = Field(  # noqa: N815
        default_factory=list,
        max_length=20,
        description="At most one entry per program (a program is eligible-not-served once)",
    )

    @model_validator(mode="after")
    def _one_entry_per_program(self) -> EiddIn:
        programs = [item.programText for item in self.eligibleNotServedExtension]
        if len(programs) != len(set(programs)):
            # One row per (incident, program) in the database: a duplicate was a 500.
            raise ValueError("eligibleNotServedExtension: a program appears more than once")
        return self
