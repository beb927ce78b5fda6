"""The directory as Open Referral HSDS: export (JSON and a zip of CSV tables) and import.

Export is public-safe: confidential locations (domestic-violence shelters) are left out
entirely, with their service-at-location links. Import validates the whole document
against the HSDS schemas first and writes all of it or nothing.
"""

from __future__ import annotations

import io
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from django.db import transaction
from django.utils import timezone

from rightresponse.core.ecosystem.hsds import (
    HsdsError,
    HsdsInvalid,
    csv_to_tables,
    from_tables,
    tables_to_csv,
    to_tables,
    validate_document,
)

from . import config
from .models import Location, Organization, Schedule, Service

HSDS_VERSION = "3.0"


def _sub_id(parent: uuid.UUID | str, name: str) -> str:
    return str(uuid.uuid5(uuid.UUID(str(parent)), name))


def _hhmm(value: time) -> str:
    return value.strftime("%H:%M")


def _drop_empty(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if v not in (None, "", [])}


def _location(location: Location) -> dict[str, Any]:
    addresses = []
    if location.address_1:
        # Every field here is required by HSDS, so it is kept even when empty.
        addresses.append(
            {
                "id": _sub_id(location.id, "address"),
                "location_id": str(location.id),
                "address_1": location.address_1,
                "city": location.city,
                "state_province": location.state_province,
                "postal_code": location.postal_code,
                "country": location.country,
                "address_type": "physical",
            }
        )
    return _drop_empty(
        {
            "id": str(location.id),
            "organization_id": str(location.organization_id),
            "location_type": location.location_type,
            "name": location.name,
            "latitude": location.latitude,
            "longitude": location.longitude,
            "addresses": addresses,
        }
    )


def _attribute(service: Service, group: str, code: str, value: str = "") -> dict[str, Any] | None:
    term = config.taxonomy().term(group, code)
    if term is None:
        return None  # a code entered by hand that the taxonomy does not know: not exported
    return _drop_empty(
        {
            "id": _sub_id(service.id, f"attribute:{group}:{code}"),
            "link_id": str(service.id),
            "link_type": group,
            "link_entity": "service",
            "taxonomy_term_id": term.id,
            "value": value,
        }
    )


def _service(service: Service, public_location_ids: set[str]) -> dict[str, Any]:
    candidates = [
        _attribute(service, "category", service.category),
        _attribute(service, "subcategory", service.subcategory),
        *(_attribute(service, "need", n) for n in service.needs),
        _attribute(service, "flag", "victim_service", _bool(service.is_victim_service)),
        _attribute(service, "flag", "accepts_referrals", _bool(service.accepts_referrals)),
        _attribute(service, "flag", "waitlist", str(service.waitlist)),
    ]
    attributes = [a for a in candidates if a is not None]
    capacities = []
    if service.capacity_available is not None and service.capacity_updated_at is not None:
        capacities.append(
            _drop_empty(
                {
                    "id": str(service.capacity_id),
                    "service_id": str(service.id),
                    "unit": {
                        "id": _sub_id(service.id, "unit"),
                        "name": service.capacity_unit or "places",
                    },
                    "available": service.capacity_available,
                    "maximum": service.capacity_maximum,
                    "updated": service.capacity_updated_at.isoformat(),
                }
            )
        )
    return _drop_empty(
        {
            "id": str(service.id),
            "organization_id": str(service.organization_id),
            "name": service.name,
            "description": service.description,
            "status": service.status,
            "email": service.email,
            "url": service.url,
            "application_process": service.application_process,
            "eligibility_description": service.eligibility_description,
            "minimum_age": service.minimum_age,
            "maximum_age": service.maximum_age,
            "wait_time": service.wait_time,
            "phones": [
                {
                    "id": _sub_id(service.id, "phone"),
                    "service_id": str(service.id),
                    "number": service.phone,
                }
            ]
            if service.phone
            else [],
            "schedules": [
                _drop_empty(
                    {
                        "id": str(s.id),
                        "service_id": str(service.id),
                        "freq": "WEEKLY",
                        "byday": s.byday,
                        "opens_at": _hhmm(s.opens_at),
                        "closes_at": _hhmm(s.closes_at),
                        "description": s.description,
                    }
                )
                for s in service.schedules.all()
            ],
            "service_areas": [
                {"id": _sub_id(service.id, f"area:{a}"), "service_id": str(service.id), "name": a}
                for a in service.areas
            ],
            "languages": [
                {
                    "id": _sub_id(service.id, f"language:{code}"),
                    "service_id": str(service.id),
                    "code": code,
                }
                for code in service.languages
            ],
            "service_at_locations": [
                {
                    "id": _sub_id(service.id, f"at:{loc.id}"),
                    "service_id": str(service.id),
                    "location_id": str(loc.id),
                }
                for loc in service.locations.all()
                if str(loc.id) in public_location_ids
            ],
            "attributes": attributes,
            "capacities": capacities,
        }
    )


def _bool(value: bool) -> str:
    return "true" if value else "false"


def directory_document() -> dict[str, Any]:
    """The whole directory as an HSDS document, safe to publish."""
    tax = config.taxonomy()
    organizations = list(Organization.objects.prefetch_related("locations").order_by("name", "id"))
    public_location_ids: set[str] = set()
    org_docs = []
    for org in organizations:
        locations = [loc for loc in org.locations.all() if not loc.confidential]
        public_location_ids.update(str(loc.id) for loc in locations)
        org_docs.append(
            _drop_empty(
                {
                    "id": str(org.id),
                    "name": org.name,
                    "description": org.description or org.name,
                    "email": org.email,
                    "website": org.website,
                    "locations": [
                        _location(loc) for loc in sorted(locations, key=lambda x: str(x.id))
                    ],
                }
            )
        )
    services = Service.objects.prefetch_related("schedules", "locations").order_by("name", "id")
    return {
        "hsds_version": HSDS_VERSION,
        "taxonomies": [
            {
                "id": tax.uuid,
                "name": tax.name,
                "description": f"{tax.name} (CC BY 4.0)",
                "uri": tax.uri,
                "version": tax.version,
            }
        ],
        "taxonomy_terms": [
            _drop_empty(
                {
                    "id": term.id,
                    "code": term.code,
                    "name": term.name,
                    "description": f"{term.group}: {term.name}",
                    "parent_id": tax.term("category", term.parent).id  # type: ignore[union-attr]
                    if term.parent
                    else None,
                    "taxonomy": term.group,
                    "taxonomy_id": tax.uuid,
                }
            )
            for term in tax.terms
        ],
        "organizations": org_docs,
        "services": [_service(s, public_location_ids) for s in services],
    }


def directory_csv_zip() -> bytes:
    files = tables_to_csv(to_tables(directory_document()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in sorted(files.items()):
            archive.writestr(name, text)
    return buffer.getvalue()


# ------------------------------------------------------------------ import


@dataclass
class ImportResult:
    organizations: int = 0
    locations: int = 0
    services: int = 0
    warnings: list[str] = field(default_factory=list)


def document_from_csv_zip(data: bytes) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {
                name.rsplit("/", 1)[-1]: archive.read(name).decode("utf-8-sig")
                for name in archive.namelist()
                if name.endswith(".csv")
            }
    except (zipfile.BadZipFile, UnicodeDecodeError) as exc:
        raise HsdsInvalid([HsdsError("upload", f"not a zip of UTF-8 CSV files ({exc})")]) from exc
    if not files:
        raise HsdsInvalid([HsdsError("upload", "the zip holds no .csv tables")])
    return from_tables(csv_to_tables(files), config.HSDS_SCHEMA_DIR)


def directory_import(doc: Any) -> ImportResult:
    """Validate, then upsert every organization, location and service (all or nothing)."""
    errors = validate_document(doc, config.HSDS_SCHEMA_DIR)
    if errors:
        raise HsdsInvalid(errors)
    result = ImportResult()
    with transaction.atomic():
        for org_doc in doc.get("organizations", []):
            _import_organization(org_doc, result)
            result.organizations += 1
        for si, service_doc in enumerate(doc.get("services", [])):
            _import_service(service_doc, f"$.services[{si}]", result)
            result.services += 1
    return result


def _import_organization(data: dict[str, Any], result: ImportResult) -> None:
    org, _ = Organization.objects.update_or_create(
        id=data["id"],
        defaults={
            "name": data["name"][:200],
            "description": data.get("description", ""),
            "email": data.get("email", ""),
            "website": data.get("website", ""),
        },
    )
    for loc in data.get("locations", []) or []:
        address = (loc.get("addresses") or [{}])[0]
        existing = Location.objects.filter(id=loc["id"]).first()
        Location.objects.update_or_create(
            id=loc["id"],
            defaults={
                "organization": org,
                "name": (loc.get("name") or "")[:200],
                "location_type": loc.get("location_type", "physical"),
                "latitude": loc.get("latitude"),
                "longitude": loc.get("longitude"),
                "address_1": address.get("address_1", ""),
                "city": address.get("city", ""),
                "state_province": address.get("state_province", ""),
                "postal_code": address.get("postal_code", ""),
                "country": (address.get("country") or "US")[:2],
                # A location kept confidential here stays confidential whatever is imported.
                "confidential": existing.confidential if existing else False,
            },
        )
        result.locations += 1


def _parse_time(value: str, where: str) -> time:
    text = value.strip().rstrip("Z")[:8]
    for fmt in ("%H:%M:%S", "%H:%M"):
        try:
            return datetime.strptime(text, fmt).time()
        except ValueError:
            continue
    raise HsdsInvalid([HsdsError(where, f"'{value}' is not a time (HH:MM)")])


def _parse_datetime(value: str, where: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed)
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise HsdsInvalid([HsdsError(where, f"'{value}' is not a date and time ({exc})")]) from exc
    if not 1900 <= parsed.year <= 2200:
        raise HsdsInvalid([HsdsError(where, f"year {parsed.year} is out of range")])
    return parsed


def _import_service(data: dict[str, Any], path: str, result: ImportResult) -> None:
    tax = config.taxonomy()
    category, subcategory, needs = "", "", []
    flags: dict[str, str] = {}
    for attribute in data.get("attributes", []) or []:
        term = tax.term_by_id(attribute.get("taxonomy_term_id", ""))
        if term is None:
            continue
        if term.group == "category":
            category = term.code
        elif term.group == "subcategory":
            subcategory = term.code
        elif term.group == "need":
            needs.append(term.code)
        elif term.group == "flag":
            flags[term.code] = attribute.get("value", "")
    if not category and subcategory:
        category = tax.subcategories[subcategory][1]
    if not category:
        result.warnings.append(f"{path}: no ecosystem category attribute; imported uncategorised")
    capacity = (data.get("capacities") or [None])[0]
    phone = (data.get("phones") or [{}])[0].get("number", "")
    defaults: dict[str, Any] = {
        "organization_id": data["organization_id"],
        "name": data["name"][:200],
        "description": data.get("description", ""),
        "status": data["status"],
        "email": data.get("email", ""),
        "url": data.get("url", ""),
        "phone": phone[:40],
        "application_process": data.get("application_process", ""),
        "eligibility_description": data.get("eligibility_description", ""),
        "minimum_age": data.get("minimum_age"),
        "maximum_age": data.get("maximum_age"),
        "wait_time": data.get("wait_time", "")[:100],
        "category": category,
        "subcategory": subcategory,
        "needs": needs,
        "languages": [
            lang.get("code") or lang.get("name", "") for lang in data.get("languages", []) or []
        ],
        "areas": [a.get("name", "") for a in data.get("service_areas", []) or [] if a.get("name")],
        "is_victim_service": flags.get("victim_service") == "true",
        "accepts_referrals": flags.get("accepts_referrals", "true") == "true",
        "waitlist": int(flags.get("waitlist") or 0),
        "capacity_available": None,
        "capacity_maximum": None,
        "capacity_unit": "",
        "capacity_updated_at": None,
    }
    if capacity is not None:
        defaults.update(
            capacity_id=capacity["id"],
            capacity_available=int(capacity["available"]),
            capacity_maximum=int(capacity["maximum"])
            if capacity.get("maximum") is not None
            else None,
            capacity_unit=(capacity.get("unit") or {}).get("name", "")[:40],
            capacity_updated_at=_parse_datetime(
                capacity["updated"], f"{path}.capacities[0].updated"
            ),
        )
    service, _ = Service.objects.update_or_create(id=data["id"], defaults=defaults)
    Schedule.objects.filter(service=service).delete()
    for i, sched in enumerate(data.get("schedules", []) or []):
        where = f"{path}.schedules[{i}]"
        if not sched.get("byday") or not sched.get("opens_at") or not sched.get("closes_at"):
            result.warnings.append(f"{where}: not a weekly byday/opens_at/closes_at row; skipped")
            continue
        Schedule.objects.create(
            id=sched["id"],
            service=service,
            byday=sched["byday"],
            opens_at=_parse_time(sched["opens_at"], f"{where}.opens_at"),
            closes_at=_parse_time(sched["closes_at"], f"{where}.closes_at"),
            description=sched.get("description", "")[:200],
        )
    location_ids = [link["location_id"] for link in data.get("service_at_locations", []) or []]
    kept_confidential = list(service.locations.filter(confidential=True))
    service.locations.set(list(Location.objects.filter(id__in=location_ids)) + kept_confidential)
