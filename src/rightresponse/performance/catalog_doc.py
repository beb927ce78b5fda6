"""docs/metrics.md is generated from the catalog file, so it cannot drift from it
(`rightresponse metrics-doc` writes it; a test fails when it is stale)."""

from __future__ import annotations

from rightresponse.core.metrics import Catalog
from rightresponse.core.metrics.catalog import QUADRANTS, SOURCES, STAGES
from rightresponse.core.metrics.facts import DIMENSIONS
from rightresponse.core.metrics.suppression import MIN_CELL

INTRO = """# Metrics catalog

<!-- Generated from src/rightresponse/performance/catalog/metrics.yaml by
     `rightresponse metrics-doc`; do not edit by hand (tests/performance/test_metrics_doc.py). -->

Every metric the *Safe and Thriving Communities* report lists, as data: the catalog file
`src/rightresponse/performance/catalog/metrics.yaml`, validated on load against the JSON
Schema `src/rightresponse/core/metrics/catalog.schema.json` and then for cross-references
(fields, breakdowns, committees). A city edits the file, not the code.

Each entry has: an id; the report's wording and line; a definition (numerator,
denominator, unit, direction of good); its Results-Based Accountability quadrant; its
stage in the value chain (inputs, outputs, outcomes: report lines 310-314); the owning
committee (report lines 484-492); the breakdowns it allows; and its source. The report
asks for a short list that grows over time (line 802): the catalog holds the whole list,
scorecards show the metrics a committee gives a target.

## Sources

{sources}

A metric whose data does not exist yet shows **"not yet measured"** with what is needed
(the `needs` column below, or the missing pillar for computed metrics), never zero. An
empty period gives 0 for counts and "no events" for rates and times.

## How computed metrics are defined

A computed metric carries a `compute` spec: `kind` is `count`, `share` (percent of the
population meeting `numerator_where`), `duration` (mean and median minutes of an
`interval`: answer, dispatch, response, closure... as `src/rightresponse/core/status_times.py`
defines them once for the metrics, the incident pages and the analysis of imported calls),
`ratio` (rows of one kind of facts per row of another), `share_of_volume` (percent that
the rows of one kind are of themselves plus the rows of another, e.g. reports among reports
and incidents), `distinct_repeat` (keys such
as a caller or a location seen at least `min_count` times) or `repeat_share` (percent of rows
whose key repeats). `where` filters the population: a field equal to a value or in a list,
or one operator `null`, `not`, `gte` or `ne_field`; `any` takes alternatives. The fields
are those of the incident facts (contract 3), the referral facts (contract 4), and the
facts of the virtual channels (issue 13), read from their own small tables on each request
(no snapshot): `virtual_reports`, one row per telephone or online report (each Tier 0
virtual case that is not a hotline contact, and each report started on the public form,
which reads as abandoned when not sent within 60 minutes; received = opened, answered =
taken by a report taker, cleared = done with, closed = completed; channel, status, incident
type, area, referred), and `hotline_contacts`, one row per 911 -> 988/311/211 transfer
(channel `911`) or call taken on a hotline's own line (received = transferred, answered =
accepted or declined, cleared = outcome or hand-back; status, outcome, reached, elevated =
handed back to 911 for an in-person response, referred, incident type, area, a one-way
caller code). They carry no demographics (an online report asks for none), so their
metrics break down by incident type, area and channel only.

## Breakdowns and equity

Breakdown dimensions: {dimensions}. Any breakdown can be read as a **disparity ratio**: the
group's value divided by the city-wide value (report lines 374-379); ratios resting on
fewer than {min_cell} events are marked unreliable.

## What the public sees

The public dashboard shows aggregates only. Counts of 1-{max_small} events are suppressed;
rows and columns whose total is under {min_cell} are combined into "Other" so that every
total can be shown; then further cells are suppressed until no hidden cell is determined
by the shown totals (checked by solving the linear system). A percentage is shown only when
both its numerator and the remainder reach {min_cell}; a time only when it rests on
{min_cell} or more events.

Figures are published by calendar quarter only (the twelve quarters that have ended;
`core/metrics/publication.py`): any two requests the public can make show the same table
or tables of disjoint periods, so no table can be subtracted from another to recover a
small count (a rolling "last N months" allowed exactly that; the attack is
`tests/performance/test_public_differencing.py`).

The page (`/public/`, linked from the sign-in page and the top bar for logged-out
visitors) adds, from those same published figures only (`performance/public_page.py`):
what changed since the last quarter (better or worse by each measure's direction of good;
quarters, not months, for the reason above), the trend of calls and of the share
answered without a police lead over the published quarters, and a precinct choropleth
drawn as SVG from the city's boundaries whose numbers are the volume table's published
column totals (a precinct with too few calls is hatched and shows none). Names and
"what this means" come from the data dictionary (`core/dictionary.py`,
[data-dictionary.md](data-dictionary.md)); downloads: CSV, JSON with the dictionary of
its columns, and the dictionary as CSV. In the table of calls answered without a police
lead, a call whose first unit was a police unit (a civilian-led joint response, or no
civilian unit free) is named for what it is, not "Police"; its count stays so that the
totals match the published share.

## Scorecards and CitiStat

A metric is on or off track only against a target or a baseline (Results-Based
Accountability); without either it is "No target set", with a link to the metric's
target form (`core/metrics/scorecard.py`). Each card has a turn-the-curve chart drawn on
the server: the last twelve whole months (a month so far is left out: its first days would
read as a fall), the baseline and target lines, and a three-month least-squares
forecast. The programme filter lists the protocol's programmes by name. CitiStat marks
each metric that moved as better or worse by its direction of good.

## Pilot evaluation

Pre/post and difference-in-differences on monthly values, with Welch 95% confidence
intervals (report lines 364-372).

## Committees

| id | committee | report line |
|---|---|---|
{committees}
"""

QUADRANT_SHORT = {"how_much": "How much", "how_well": "How well", "better_off": "Better off"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_metrics_doc(catalog: Catalog) -> str:
    parts = [
        INTRO.format(
            sources="\n".join(f"- `{k}`: {v}" for k, v in SOURCES.items()),
            dimensions=", ".join(f"`{k}` ({v[0]})" for k, v in DIMENSIONS.items()),
            min_cell=MIN_CELL,
            max_small=MIN_CELL - 1,
            committees="\n".join(
                f"| `{c.id}` | {c.name} | {c.line} |" for c in catalog.committees.values()
            ),
        )
    ]
    computed = len(catalog.computed())
    parts.append(
        f"## The metrics\n\n{len(catalog.metrics)} metrics: {computed} computed from records, "
        f"{len(catalog.metrics) - computed} entered. Quadrants: "
        + "; ".join(f"{QUADRANT_SHORT[k]} = {v}" for k, v in QUADRANTS.items())
        + ". Stages: "
        + ", ".join(STAGES.values())
        + ".\n"
    )
    for group in catalog.groups:
        committee = catalog.committees[group.committee].name
        parts.append(f"\n### {group.title} (report line {group.line})\n\nOwner: {committee}.\n")
        parts.append(
            "\n| id | line | report wording | definition | RBA | stage | breakdowns | source |\n"
            "|---|---|---|---|---|---|---|---|\n"
        )
        for metric_id in group.metric_ids:
            m = catalog.metrics[metric_id]
            definition = f"{m.numerator}"
            if m.denominator:
                definition += f" / {m.denominator}"
            better = {
                "up": "higher is better",
                "down": "lower is better",
                "neutral": "no direction",
            }[m.direction]
            definition += f" ({m.unit}; {better})"
            source = f"`{m.source}`" + (f": {m.needs}" if m.needs else "")
            parts.append(
                f"| `{m.id}` | {m.line} | {_cell(m.wording)} | {_cell(definition)} | "
                f"{QUADRANT_SHORT[m.quadrant]} | {STAGES[m.stage]} | {', '.join(m.breakdowns)} | {_cell(source)} |\n"
            )
        for line, wording, dims in group.breakdown_lines:
            parts.append(
                f"\nLine {line}, “{wording}”: the {', '.join(dims)} breakdown of the metrics above.\n"
            )
    parts.append(
        "\n## Other report lines the catalog accounts for\n\n| lines | topic | implemented by |\n|---|---|---|\n"
    )
    for lines, topic, implemented_by in catalog.references:
        parts.append(
            f"| {', '.join(str(x) for x in lines)} | {_cell(topic)} | {_cell(implemented_by)} |\n"
        )
    return "".join(parts)
