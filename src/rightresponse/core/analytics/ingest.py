"""Read a city's calls-for-service export into RightResponse's canonical columns.

The file is read as text by Arrow (fast, quoted newlines allowed), columns are chosen by
name (so extra, reordered and duplicated headers do not matter), and every value is
parsed in one DuckDB query. A value that cannot be read rejects its row, with the line,
the column and the reason; nothing is dropped silently. Local times become UTC with the
profile's time zone, daylight-saving changes included (see ``_to_utc``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from tqdm import tqdm

from ..triage.received import describe as describe_window
from .profile import (
    NUMBER_FIELDS,
    SENSITIVE_FIELDS,
    TEXT_FIELDS,
    TIME_FIELDS,
    FieldSpec,
    Profile,
)

# Always tried after a profile's own formats: ISO layouts (Parquet timestamps cast to text).
ISO_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
)
REQUIRED = ("call_id", "received_at")
PROGRESS_MIN_BYTES = 8 * 1024 * 1024  # show a progress bar for files above 8 MiB

# The canonical table: what every import produces, whatever the city.
CANONICAL_SCHEMA = pa.schema(
    [
        ("call_key", pa.string()),
        ("call_id", pa.string()),
        *[(name, pa.timestamp("us")) for name in TIME_FIELDS],  # UTC
        ("received_local", pa.timestamp("us")),  # wall-clock time in the city
        *[(name, pa.string()) for name in TEXT_FIELDS if name != "call_id"],
        ("latitude", pa.float64()),
        ("longitude", pa.float64()),
        ("officer_initiated", pa.bool_()),
        ("units", pa.int32()),
        ("source_file", pa.string()),
        ("record", pa.int64()),
    ]
)


# A time of day before the received time is the next day when within this many hours
# of the received time (a call crossing midnight); beyond, it is not rolled but flagged.
ROLLOVER_HOURS = 12


class ImportFileError(ValueError):
    """The file cannot be imported at all (unreadable, or a required column is missing)."""


@dataclass(frozen=True)
class Reject:
    line: int
    column: str
    value: str
    reason: str
    kept: bool = False  # a problem reported on a row that is imported (a time left empty)


@dataclass
class ReadResult:
    table: pa.Table
    rejects: list[Reject]
    rows_read: int
    sha256: str
    ignored_columns: list[str] = field(default_factory=list)
    absent_fields: list[str] = field(default_factory=list)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sql_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _unique_names(header: list[str]) -> list[str]:
    """Duplicated header names get a suffix; selecting by name takes the first one."""
    seen: dict[str, int] = {}
    out = []
    for name in header:
        count = seen.get(name, 0) + 1
        seen[name] = count
        out.append(name if count == 1 else f"{name}__{count}")
    return out


class _CountingReader(io.RawIOBase):
    """A file wrapper that advances a progress bar by the bytes Arrow reads."""

    def __init__(self, path: Path, bar: Any) -> None:
        self._handle = path.open("rb")
        self._bar = bar

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = self._handle.readinto(buffer)
        if n:
            self._bar.update(n)
        return n or 0

    def close(self) -> None:
        self._handle.close()
        super().close()


def _read_header(path: Path, profile: Profile) -> list[str]:
    try:
        with path.open(encoding=profile.encoding, newline="") as handle:
            return next(csv.reader(handle, delimiter=profile.delimiter))
    except StopIteration as exc:
        raise ImportFileError(f"{path.name}: the file is empty") from exc
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ImportFileError(f"{path.name}: cannot read the header: {exc}") from exc


def _read_csv(
    path: Path, profile: Profile, wanted: list[str], header: list[str], progress: bool
) -> tuple[pa.Table, list[Reject]]:
    names = _unique_names(header)
    invalid: list[Reject] = []

    def on_invalid(row: Any) -> str:
        invalid.append(
            Reject(
                line=int(row.number or 0),
                column="(row)",
                value=str(row.text)[:200],
                reason=f"expected {row.expected_columns} fields, found {row.actual_columns}",
            )
        )
        return "skip"

    read = pacsv.ReadOptions(
        column_names=names, skip_rows=1, block_size=1 << 22, encoding=profile.encoding
    )
    parse = pacsv.ParseOptions(
        delimiter=profile.delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
    )
    convert = pacsv.ConvertOptions(
        include_columns=wanted,
        column_types=dict.fromkeys(wanted, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    size = path.stat().st_size
    show = progress and size >= PROGRESS_MIN_BYTES
    if not show:
        # Arrow reads the file itself, on all cores (a Python file object, needed only to
        # count bytes for the progress bar, reads it on one thread).
        try:
            table = pacsv.read_csv(
                path, read_options=read, parse_options=parse, convert_options=convert
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise ImportFileError(f"{path.name}: cannot read as CSV: {exc}") from exc
        return table, invalid
    with tqdm(
        total=size, unit="B", unit_scale=True, desc=path.name, disable=not show, leave=False
    ) as bar:
        source = _CountingReader(path, bar)
        try:
            table = pacsv.read_csv(
                pa.PythonFile(source, mode="r"),
                read_options=read,
                parse_options=parse,
                convert_options=convert,
            )
        except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
            raise ImportFileError(f"{path.name}: cannot read as CSV: {exc}") from exc
        finally:
            source.close()
    return table, invalid


def _read_parquet(path: Path, wanted: list[str]) -> pa.Table:
    try:
        table = pq.read_table(path, columns=wanted)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFileError(f"{path.name}: cannot read as Parquet: {exc}") from exc
    return pa.table({name: table[name].cast(pa.string()) for name in table.column_names})


def _one_line_per_record(path: Path, records: int) -> bool:
    """Whether no record spans lines: the file has exactly one line per record plus the
    header (a newline count in blocks, at C speed). Blank lines make it fall back."""
    lines = 0
    last = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 24), b""):
            lines += block.count(b"\n")
            last = block[-1:]
    if last and last != b"\n":
        lines += 1  # a last line without a newline
    return lines == records + 1


def _record_lines(path: Path, profile: Profile) -> Iterator[tuple[int, int]]:
    """(first line, field count) of every record: exact line numbers despite quoted newlines."""
    with path.open(encoding=profile.encoding, newline="") as handle:
        reader = csv.reader(handle, delimiter=profile.delimiter)
        start = 1
        try:
            next(reader, None)
            start = reader.line_num + 1
            for row in reader:
                yield start, len(row)
                start = reader.line_num + 1
        except csv.Error as exc:  # e.g. a field over csv.field_size_limit() (128 KB)
            raise ImportFileError(
                f"{path.name}: line {start}: {exc}; no call-for-service field is that long, "
                "so the file is probably missing a closing quote"
            ) from None


def _clean(expr: str, profile: Profile) -> str:
    """The cleaned text of a column: already trimmed and nulled by _clean_columns."""
    return expr


def _clean_columns(table: pa.Table, profile: Profile) -> pa.Table:
    """Every text column trimmed, with the empty string and the profile's NULL strings as
    missing: Arrow's vectorised kernels (C++) rather than SQL string functions, which
    were the largest cost of an import."""
    nulls = pa.array(["", *profile.null_values], pa.string())

    def clean(column: pa.ChunkedArray) -> pa.ChunkedArray:
        if not pa.types.is_string(column.type):
            return column
        # ASCII white space (a UTF-8 multibyte character never contains those bytes).
        trimmed = pc.ascii_trim_whitespace(column)
        out: pa.ChunkedArray = pc.if_else(pc.is_in(trimmed, value_set=nulls), None, trimmed)
        return out

    # One column per thread: Arrow's kernels release the GIL.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        columns = list(pool.map(clean, table.columns))
    return pa.table(columns, names=table.column_names)


def _text_expr(spec: FieldSpec, header: list[str], profile: Profile) -> str | None:
    if spec.value is not None:
        return _sql_str(str(spec.value))
    columns = spec.source_columns(header)
    if not columns:
        return None
    if spec.joined:
        parts = [_clean(_ident(c), profile) for c in columns]
        expr = "(" + " || ' ' || ".join(parts) + ")"  # any part missing -> missing
    else:
        expr = _clean(_ident(columns[0]), profile)
        if len(columns) > 1:  # row-level fallbacks
            expr = f"coalesce({expr}, {', '.join(_clean(_ident(c), profile) for c in columns[1:])})"
    if spec.pattern:
        expr = f"nullif(regexp_extract({expr}, {_sql_str(spec.pattern)}, 1), '')"
    if spec.strip_prefix:
        prefix = _sql_str(spec.strip_prefix)
        expr = f"(CASE WHEN starts_with({expr}, {prefix}) THEN substr({expr}, length({prefix}) + 1) ELSE {expr} END)"
    if spec.values:
        cases = " ".join(
            f"WHEN {_sql_str(k)} THEN {_sql_str(v)}" for k, v in sorted(spec.values.items())
        )
        expr = f"(CASE {expr} {cases} ELSE {expr} END)"
    return expr


def _time_expr(raw: str, spec: FieldSpec) -> str:
    formats = [f for f in spec.formats if not f.startswith("epoch")]
    parts = []
    if "epoch_ms" in spec.formats:
        parts.append(f"make_timestamp(try_cast({raw} AS BIGINT) * 1000)")
    if "epoch_s" in spec.formats:
        parts.append(f"make_timestamp(try_cast({raw} AS BIGINT) * 1000000)")
    listed = ", ".join(_sql_str(f) for f in (*formats, *ISO_FORMATS))
    parts.append(f"try_strptime({raw}, [{listed}])")
    parsed = f"coalesce({', '.join(parts)})"
    if "%Y-%m-%d %H:%M:%S" in formats:
        # The commonest layout, 2025-01-31 23:59:59: a cast is 2-3x faster than strptime
        # and accepts exactly this shape (19 characters, a space at 11); others go on to
        # strptime.
        return (
            f"(CASE WHEN length({raw}) = 19 AND substr({raw}, 11, 1) = ' ' "
            f"THEN try_cast({raw} AS TIMESTAMP) ELSE {parsed} END)"
        )
    return parsed


def _number_expr(raw: str, profile: Profile) -> str:
    value = f"try_cast({raw} AS DOUBLE)"
    if not profile.sentinels:
        return value
    sentinels = ", ".join(repr(float(s)) for s in profile.sentinels)
    return f"(CASE WHEN {value} IN ({sentinels}) THEN NULL ELSE {value} END)"


@dataclass
class _Plan:
    """The SQL pieces for one file: raw text per field and the parsed value."""

    raw: dict[str, str] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)  # field -> source column label


def _plan(profile: Profile, header: list[str]) -> tuple[_Plan, list[str]]:
    plan = _Plan()
    absent = []
    specs = {**profile.fields, **{f"x_{k}": v for k, v in profile.extras.items()}}
    for name, spec in specs.items():
        expr = _text_expr(spec, header, profile)
        if expr is None:
            absent.append(name)
            continue
        plan.raw[name] = expr
        used = spec.source_columns(header)
        plan.columns[name] = (
            ("+" if spec.joined else "|").join(used) if spec.value is None else "(constant)"
        )
    return plan, absent


def read_calls(
    path: str | Path,
    profile: Profile,
    *,
    progress: bool = False,
    source_label: str = "",
    received_between: tuple[datetime, datetime] | None = None,
) -> ReadResult:
    """Read one export file with ``profile``: the canonical table and the rejected rows.
    ``received_between`` (naive UTC; ``core.triage.received.ReceivedWindow.bounds``):
    a row received outside it is rejected, as a date that cannot be read is."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path}: no such file")
    kind = profile.file_format
    if kind == "auto":
        kind = "parquet" if path.suffix.lower() in (".parquet", ".pq") else "csv"
    if kind == "parquet":
        try:
            header = pq.read_schema(path).names
        except (pa.ArrowInvalid, OSError) as exc:
            raise ImportFileError(f"{path.name}: cannot read as Parquet: {exc}") from exc
    else:
        header = _read_header(path, profile)
    plan, absent = _plan(profile, header)
    for name in REQUIRED:
        if name not in plan.raw:
            spec = profile.fields[name]
            wanted_names = list(spec.joined or spec.columns)
            raise ImportFileError(
                f"{path.name}: no column for {name} (the profile {profile.name} looks for "
                f"{wanted_names}; the file has {header[:12]}{'...' if len(header) > 12 else ''})"
            )
    wanted = sorted(
        {
            c
            for spec in (*profile.fields.values(), *profile.extras.values())
            for c in spec.source_columns(header)
        }
    )
    ignored = [c for c in header if c not in wanted]
    if kind == "parquet":
        raw_table, invalid = _read_parquet(path, wanted), list[Reject]()
    else:
        raw_table, invalid = _read_csv(path, profile, wanted, header, progress)
    raw_table = _clean_columns(raw_table, profile)
    raw_table = raw_table.append_column("_rec", pa.array(range(1, raw_table.num_rows + 1)))
    table, rejects = _normalise(
        raw_table, plan, profile, source_label or path.name, received_between
    )
    if kind == "csv" and (rejects or invalid):
        rejects = _with_line_numbers(path, profile, rejects, bool(invalid), raw_table.num_rows)
    elif kind == "parquet":
        rejects = [Reject(r.line + 1, r.column, r.value, r.reason, r.kept) for r in rejects]
    rejects = sorted([*invalid, *rejects], key=lambda r: (r.line, r.column))
    return ReadResult(
        table=table,
        rejects=rejects,
        rows_read=raw_table.num_rows + len(invalid),
        sha256=file_sha256(path),
        ignored_columns=ignored,
        absent_fields=absent,
    )


def _with_line_numbers(
    path: Path, profile: Profile, rejects: list[Reject], had_invalid: bool, records: int
) -> list[Reject]:
    """Turn record numbers into the file's line numbers (records may span lines)."""
    if not had_invalid and _one_line_per_record(path, records):
        # Every record is one line: record n is on line n + 1 (a count of newlines in C
        # instead of parsing a million records again in Python).
        return [
            Reject(
                r.line + 1,
                r.column,
                r.value,
                re.sub(r"on record (\d+)", lambda m: f"on line {int(m.group(1)) + 1}", r.reason),
                r.kept,
            )
            for r in rejects
        ]
    width = len(_read_header(path, profile))
    lines: list[int] = []
    for start, count in _record_lines(path, profile):
        if had_invalid and count != width:
            continue  # Arrow skipped it; it is reported on its own
        lines.append(start)
    out = []
    for r in rejects:
        line = lines[r.line - 1] if 0 < r.line <= len(lines) else r.line + 1
        reason = re.sub(
            r"first on record (\d+)",
            lambda m: f"first on line {lines[int(m.group(1)) - 1]}",
            r.reason,
        )
        reason = re.sub(
            r"on record (\d+) is kept",
            lambda m: f"on line {lines[int(m.group(1)) - 1]} is kept",
            reason,
        )
        out.append(Reject(line, r.column, r.value, reason, r.kept))
    return out


def _normalise(
    raw_table: pa.Table,
    plan: _Plan,
    profile: Profile,
    source_label: str,
    received_between: tuple[datetime, datetime] | None = None,
) -> tuple[pa.Table, list[Reject]]:
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        con.register("raw", raw_table)
        selects = ["_rec"]
        for name, expr in plan.raw.items():
            selects.append(f"{expr} AS {_ident('raw_' + name)}")
        con.execute(f"CREATE TEMP VIEW cleaned AS SELECT {', '.join(selects)} FROM raw")

        parsed = ["_rec"]
        checks: list[tuple[str, str, str]] = []  # (field, condition, reason)
        specs = {**profile.fields, **{f"x_{k}": v for k, v in profile.extras.items()}}
        for name in plan.raw:
            spec = specs[name]
            raw = _ident("raw_" + name)
            if name in TIME_FIELDS:
                expr = _time_expr(raw, spec)
                formats = ", ".join(spec.formats)
                checks.append(
                    (
                        name,
                        f"{raw} IS NOT NULL AND {_ident(name)} IS NULL",
                        f"not a time in {formats}",
                    )
                )
            elif name in NUMBER_FIELDS or name.startswith("x_"):
                expr = _number_expr(raw, profile)
                checks.append(
                    (
                        name,
                        f"{raw} IS NOT NULL AND try_cast({raw} AS DOUBLE) IS NULL",
                        "not a number",
                    )
                )
                if name == "latitude":
                    checks.append((name, f"abs({_ident(name)}) > 90", "latitude outside -90..90"))
                if name == "longitude":
                    checks.append(
                        (name, f"abs({_ident(name)}) > 180", "longitude outside -180..180")
                    )
            elif name == "officer_initiated":
                values = ", ".join(_sql_str(v) for v in spec.true_values)
                expr = f"(CASE WHEN {raw} IS NULL THEN NULL ELSE {raw} IN ({values}) END)"
            elif name == "units":
                if spec.separator:
                    sep = _sql_str(spec.separator)
                    expr = f"len(list_filter(string_split({raw}, {sep}), x -> trim(x) <> ''))"
                else:
                    expr = f"try_cast(try_cast({raw} AS DOUBLE) AS INTEGER)"
                    checks.append(
                        (
                            name,
                            f"{raw} IS NOT NULL AND {_ident(name)} IS NULL",
                            "not a number of units",
                        )
                    )
            else:
                expr = raw
            parsed.append(f"{expr} AS {_ident(name)}")
        checks.append(("call_id", '"raw_call_id" IS NULL', "missing call id"))
        checks.append(("received_at", '"raw_received_at" IS NULL', "missing received time"))
        if received_between is not None:
            # Local wall-clock times against UTC bounds: off by hours at most, on a window
            # of decades (core/triage/received.py). Year 1 and 2099 are far outside it.
            lo, hi = (_sql_str(f"{t:%Y-%m-%d %H:%M:%S}") for t in received_between)
            checks.append(
                (
                    "received_at",
                    f"received_at < TIMESTAMP {lo} OR received_at > TIMESTAMP {hi}",
                    "received outside " + describe_window(*received_between),
                )
            )

        # Parse every field once, with a flag per check (DuckDB lets a check use the
        # parsed value by its alias); the cleaned text is not copied: only the flagged
        # rows' text is fetched, for the rejects report.
        flags = [f"({condition}) AS _chk{i}" for i, (_, condition, _) in enumerate(checks)]
        con.execute(f"CREATE TEMP TABLE wide AS SELECT {', '.join([*parsed, *flags])} FROM cleaned")
        any_flag = " OR ".join(f"_chk{i}" for i in range(len(checks)))
        flagged = con.execute(
            f"SELECT _rec, {', '.join(f'_chk{i}' for i in range(len(checks)))} FROM wide "
            f"WHERE {any_flag} ORDER BY _rec"
        ).fetchall()

        def raw_text(recs: list[int], name: str) -> dict[int, Any]:
            if not recs:
                return {}
            con.register("wanted_recs", pa.table({"_rec": pa.array(recs, pa.int64())}))
            return dict(
                con.execute(
                    f"SELECT _rec, {_ident('raw_' + name)} FROM cleaned "
                    "WHERE _rec IN (SELECT _rec FROM wanted_recs)"
                ).fetchall()
            )

        reject_rows: list[Reject] = []
        for i, (name, _, reason) in enumerate(checks):
            recs = [int(row[0]) for row in flagged if row[i + 1]]
            texts = raw_text(recs, name)
            label = plan.columns.get(name, name)
            for rec in recs:
                value = texts.get(rec)
                reject_rows.append(Reject(rec, label, "" if value is None else str(value), reason))
        bad = sorted({r.line for r in reject_rows if not r.kept})
        con.register("bad", pa.table({"_rec": pa.array(bad, pa.int64())}))
        # The call key (profile's key fields), from the cleaned text.
        key_fields = [k for k in profile.key if k in plan.raw] or ["call_id"]
        key_expr = " || ':' || ".join(f"coalesce({_ident(k)}, '')" for k in key_fields)
        # Times of day on the received date (e.g. San Luis Obispo): a time before the
        # received time is the next day only when that makes a call crossing midnight
        # (received late, the time within ROLLOVER_HOURS after it). Otherwise nothing is
        # invented: the time is cleared and the rejects report says why (the row stays).
        rolled = [
            name
            for name, spec in profile.fields.items()
            if name in TIME_FIELDS and spec.after_received and name in plan.raw
        ]
        for n in rolled:
            recs = [
                int(row[0])
                for row in con.execute(
                    f"SELECT _rec FROM wide WHERE {_ident(n)} < received_at AND {_ident(n)} "
                    f"+ INTERVAL 1 DAY > received_at + INTERVAL {ROLLOVER_HOURS} HOUR "
                    "ORDER BY _rec"
                ).fetchall()
            ]
            texts = raw_text(recs, n)
            for rec in recs:
                value = texts.get(rec)
                reject_rows.append(
                    Reject(
                        int(rec),
                        plan.columns.get(n, n),
                        "" if value is None else str(value),
                        f"before the received time and not a crossing of midnight (the next "
                        f"day would be over {ROLLOVER_HOURS} h later): time left empty",
                        kept=True,
                    )
                )
        replace = ", ".join(
            f"CASE WHEN {_ident(n)} >= received_at THEN {_ident(n)} "
            f"WHEN {_ident(n)} + INTERVAL 1 DAY <= received_at + INTERVAL {ROLLOVER_HOURS} HOUR "
            f"THEN {_ident(n)} + INTERVAL 1 DAY ELSE NULL END AS {_ident(n)}"
            for n in rolled
        )
        star = f"* REPLACE ({replace})" if rolled else "*"
        names = ", ".join(["_rec", *(_ident(n) for n in plan.raw)])
        con.execute(
            f"CREATE TEMP VIEW parsed AS SELECT {star} FROM (SELECT {names}, "
            f"{key_expr} AS call_key FROM wide WHERE _rec NOT IN (SELECT _rec FROM bad))"
        )
        # Duplicated keys in one file: the latest version (the last record) wins, the
        # earlier ones are rejected (an export appends a call again when it changes).
        dupes = con.execute(
            "SELECT _rec, call_key, last_rec FROM (SELECT _rec, call_key, "
            "max(_rec) OVER (PARTITION BY call_key) AS last_rec FROM parsed) "
            "WHERE _rec <> last_rec ORDER BY _rec"
        ).fetchall()
        for rec, key, last in dupes:
            reject_rows.append(
                Reject(
                    int(rec),
                    plan.columns["call_id"],
                    str(key),
                    f"duplicate call id (the later version on record {last} is kept)",
                )
            )
        con.register("dupes", pa.table({"_rec": pa.array([d[0] for d in dupes], pa.int64())}))
        _to_utc(con, profile, plan)
        # Views up to here: the rows are materialised once, by the canonical select.
        table = _canonical(con, plan, profile, source_label)
        # A later time before the received time is a negative interval: kept (every
        # analysis skips negative intervals) and counted in the rejects report.
        for n in TIME_FIELDS:
            if n == "received_at" or n not in plan.raw or n in rolled:
                continue
            before = pc.fill_null(pc.less(table[n], table["received_at"]), False)
            for rec, value in zip(
                table["record"].filter(before).to_pylist(),
                table[n].filter(before).to_pylist(),
                strict=True,
            ):
                reject_rows.append(
                    Reject(
                        int(rec),
                        plan.columns.get(n, n),
                        f"{value} UTC",
                        "before the received time: a negative interval (row kept; the "
                        "analyses skip the interval)",
                        kept=True,
                    )
                )
    finally:
        con.close()
    return table, reject_rows


def _offsets(hours: list[datetime], zone: ZoneInfo) -> pa.Table:
    """UTC offset (seconds) of each local wall-clock hour, for its first and second occurrence."""
    off0, off1 = [], []
    for hour in hours:
        first = hour.replace(tzinfo=zone, fold=0).utcoffset() or timedelta(0)
        second = hour.replace(tzinfo=zone, fold=1).utcoffset() or timedelta(0)
        off0.append(int(first.total_seconds()))
        off1.append(int(second.total_seconds()))
    return pa.table(
        {
            "hour": pa.array(hours, pa.timestamp("us")),
            "off0": pa.array(off0, pa.int64()),
            "off1": pa.array(off1, pa.int64()),
        }
    )


def _to_utc(con: duckdb.DuckDBPyConnection, profile: Profile, plan: _Plan) -> None:
    """Local wall-clock times to UTC, exactly across daylight-saving changes (table ``utc``).

    Offsets come from the IANA database per local hour. In the repeated hour of the
    autumn change a local time is ambiguous: the received time takes the first
    occurrence; a later time of the same call takes the second occurrence when the
    first would place it before the call was received (a call cannot close before it
    starts). Unix-epoch fields are already UTC.
    """
    zone = ZoneInfo(profile.timezone)
    local = [
        n
        for n in TIME_FIELDS
        if n in plan.raw and not any(f.startswith("epoch") for f in profile.fields[n].formats)
    ]
    cols = [n for n in TIME_FIELDS if n in plan.raw]
    hours_sql = " UNION ".join(
        f"SELECT DISTINCT date_trunc('hour', {_ident(n)}) FROM parsed WHERE {_ident(n)} IS NOT NULL"
        for n in cols
    )
    hours = [row[0] for row in con.execute(hours_sql).fetchall()]
    con.register("tz_offsets", _offsets(hours, zone))
    utc_hours = [h for h in hours]  # for epoch fields: the offset of the UTC instant
    con.register(
        "utc_offsets",
        pa.table(
            {
                "hour": pa.array(utc_hours, pa.timestamp("us")),
                "off": pa.array(
                    [
                        int(
                            (
                                h.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).utcoffset()
                                or timedelta(0)
                            ).total_seconds()
                        )
                        for h in utc_hours
                    ],
                    pa.int64(),
                ),
            }
        ),
    )
    joins = []
    selects = []
    if "received_at" in local:
        received_utc = "p.received_at - to_seconds(o_received_at.off0)"
        selects.append("p.received_at AS received_local")
    else:
        received_utc = "p.received_at"
        joins.append("LEFT JOIN utc_offsets u ON u.hour = date_trunc('hour', p.received_at)")
        selects.append("p.received_at + to_seconds(u.off) AS received_local")
    for name in cols:
        col = _ident(name)
        if name not in local:
            selects.append(f"p.{col} AS {col}")
            continue
        alias = _ident("o_" + name)
        joins.append(f"LEFT JOIN tz_offsets {alias} ON {alias}.hour = date_trunc('hour', p.{col})")
        if name == "received_at":
            selects.append(f"{received_utc} AS received_at")
        else:
            selects.append(
                f"CASE WHEN {alias}.off0 <> {alias}.off1 "
                f"AND p.{col} - to_seconds({alias}.off0) < {received_utc} "
                f"THEN p.{col} - to_seconds({alias}.off1) "
                f"ELSE p.{col} - to_seconds({alias}.off0) END AS {col}"
            )
    excluded = ", ".join(_ident(n) for n in cols)
    con.execute(
        f"CREATE TEMP VIEW utc AS SELECT p.* EXCLUDE ({excluded}), {', '.join(selects)} "
        f"FROM parsed p {' '.join(joins)} WHERE p._rec NOT IN (SELECT _rec FROM dupes)"
    )


def _canonical(
    con: duckdb.DuckDBPyConnection, plan: _Plan, profile: Profile, source_label: str
) -> pa.Table:
    have = set(plan.raw)
    cols = []
    for f in CANONICAL_SCHEMA:
        if f.name in ("call_key", "received_local", "record"):
            expr = "_rec" if f.name == "record" else f.name
        elif f.name == "source_file":
            expr = _sql_str(source_label)
        elif f.name == "units":
            expr = "coalesce(units, 1)" if "units" in have else "1"
        elif f.name in have:
            expr = _ident(f.name)
        else:
            expr = "NULL"
        duck_type = {
            pa.string(): "VARCHAR",
            pa.timestamp("us"): "TIMESTAMP",
            pa.float64(): "DOUBLE",
            pa.bool_(): "BOOLEAN",
            pa.int32(): "INTEGER",
            pa.int64(): "BIGINT",
        }[f.type]
        cols.append(f"CAST({expr} AS {duck_type}) AS {_ident(f.name)}")
    for name in sorted(have):
        if name in SENSITIVE_FIELDS:
            cols.append(f"CAST({_ident(name)} AS VARCHAR) AS {_ident(name)}")
        elif name.startswith("x_"):
            cols.append(f"CAST({_ident(name)} AS DOUBLE) AS {_ident(name)}")
    sql = f"SELECT {', '.join(cols)} FROM utc ORDER BY _rec"
    table: pa.Table = con.execute(sql).fetch_arrow_table()
    return table
