"""Read a city's calls-for-service export into RightResponse's canonical columns.

The file is read as text by Arrow (on all cores; quoted newlines allowed, see
``_read_csv``), columns are chosen by name (so extra, reordered and duplicated headers do
not matter), and every value is parsed in one DuckDB pass over the Arrow columns (time
columns in the commonest layout cast by Arrow first). A value that cannot be read
rejects its row, with the line, the column and the reason; nothing is dropped silently.
Local times become UTC with the profile's time zone, daylight-saving changes included
(see ``_to_utc``). Where the time goes and why each step is built so: docs/analytics.md
("Speed and scale").
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
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


@dataclass(frozen=True)
class _FileScan:
    sha256: str
    lines: int  # a last line without a newline counted


def _scan_file(path: Path) -> _FileScan:
    """The file's SHA-256 and its number of lines, in one read of the bytes (hashing
    releases the GIL, so this runs beside the parse)."""
    digest = hashlib.sha256()
    lines = 0
    last = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
            lines += block.count(b"\n")
            last = block[-1:]
    if last and last != b"\n":
        lines += 1
    return _FileScan(digest.hexdigest(), lines)


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
    path: Path,
    profile: Profile,
    wanted: list[str],
    header: list[str],
    progress: bool,
    scan: Future[_FileScan],
) -> tuple[pa.Table, list[Reject]]:
    """The wanted columns as text, and the rows of the wrong width (skipped, reported).

    Read first as if no value spanned lines: Arrow then splits the file at any newline
    and parses the blocks on all cores, twice as fast as tracking quotes across blocks.
    That read is kept only when it is certainly the right one: no error, no row of the
    wrong width, and exactly one record per line of the file (a quoted newline inside a
    block joins two lines into one record; one across blocks loses or garbles a record,
    or fails); otherwise the file is read again with quoted newlines allowed."""
    try:
        table, invalid = _arrow_csv(path, profile, wanted, header, progress, newlines=False)
    except (pa.ArrowInvalid, UnicodeDecodeError):
        pass
    else:
        if not invalid and table.num_rows == scan.result().lines - 1:
            return table, invalid
    try:
        return _arrow_csv(path, profile, wanted, header, progress, newlines=True)
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise ImportFileError(f"{path.name}: cannot read as CSV: {exc}") from exc


def _arrow_csv(
    path: Path,
    profile: Profile,
    wanted: list[str],
    header: list[str],
    progress: bool,
    *,
    newlines: bool,
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
        delimiter=profile.delimiter, newlines_in_values=newlines, invalid_row_handler=on_invalid
    )
    convert = pacsv.ConvertOptions(
        include_columns=wanted,
        column_types=dict.fromkeys(wanted, pa.string()),
        # The empty string and the profile's NULL strings become missing as Arrow converts
        # (_clean_columns then only looks again at values it trims).
        null_values=["", *profile.null_values],
        strings_can_be_null=True,
        quoted_strings_can_be_null=True,
    )
    size = path.stat().st_size
    show = progress and size >= PROGRESS_MIN_BYTES
    if not show:
        # Arrow reads the file itself, on all cores (a Python file object, needed only to
        # count bytes for the progress bar, reads it on one thread).
        table = pacsv.read_csv(
            path, read_options=read, parse_options=parse, convert_options=convert
        )
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
        finally:
            source.close()
    return table, invalid


def _read_parquet(path: Path, wanted: list[str]) -> pa.Table:
    try:
        table = pq.read_table(path, columns=wanted)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ImportFileError(f"{path.name}: cannot read as Parquet: {exc}") from exc
    return pa.table({name: table[name].cast(pa.string()) for name in table.column_names})


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


def _clean_columns(table: pa.Table, profile: Profile, *, nulled: bool = False) -> pa.Table:
    """Every text column trimmed, with the empty string and the profile's NULL strings as
    missing: Arrow's vectorised kernels (C++) rather than SQL string functions, which
    were the largest cost of an import. ``nulled``: the reader already made the exact
    NULL strings missing, so only trimmed values are looked at again."""
    nulls = pa.array(["", *profile.null_values], pa.string())

    def clean(column: pa.ChunkedArray) -> pa.ChunkedArray:
        if not pa.types.is_string(column.type):
            return column
        # ASCII white space (a UTF-8 multibyte character never contains those bytes).
        needs_trim = _needs_trim(column)
        if nulled and not needs_trim:
            return column
        trimmed: pa.ChunkedArray = pc.ascii_trim_whitespace(column) if needs_trim else column
        missing = pc.is_in(trimmed, value_set=nulls)
        if not pc.any(missing).as_py():
            return trimmed  # most columns have no missing value: no copy to null none
        out: pa.ChunkedArray = pc.if_else(missing, None, trimmed)
        return out

    # One column per thread: Arrow's kernels release the GIL.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        columns = list(pool.map(clean, table.columns))
    return pa.table(columns, names=table.column_names)


# What Arrow's ascii_trim_whitespace removes: space, \t, \n, \v, \f, \r.
_ASCII_SPACE = np.zeros(256, dtype=np.bool_)
_ASCII_SPACE[[0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]] = True


def _needs_trim(column: pa.ChunkedArray) -> bool:
    """Whether a value starts or ends with white space: the first and last byte of every
    value, read from the column's buffers (trimming copies every value and was most
    of the cleaning; exports rarely pad their values)."""
    for chunk in column.chunks:
        if chunk.type != pa.string():
            return True
        if len(chunk) == 0:
            continue
        _, offsets_buf, data_buf = chunk.buffers()
        if data_buf is None or offsets_buf is None:
            continue
        offsets = np.frombuffer(offsets_buf, dtype=np.int32)[
            chunk.offset : chunk.offset + len(chunk) + 1
        ]
        data = np.frombuffer(data_buf, dtype=np.uint8)
        if len(data) == 0:
            continue
        # An empty value's "first byte" is the next value's first, its "last" the
        # previous value's last: both looked at anyway, so no filter (copy) is needed.
        firsts = data[np.minimum(offsets[:-1], len(data) - 1)]
        lasts = data[np.maximum(offsets[1:] - 1, 0)]
        if _ASCII_SPACE[firsts].any() or _ASCII_SPACE[lasts].any():
            return True
    return False


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
    with ThreadPoolExecutor(max_workers=1) as background:
        scan = background.submit(_scan_file, path)
        result = _read(
            path,
            profile,
            kind,
            plan,
            wanted,
            header,
            progress,
            source_label,
            received_between,
            scan,
        )
    return ReadResult(
        table=result[0],
        rejects=result[1],
        rows_read=result[2],
        sha256=scan.result().sha256,
        ignored_columns=ignored,
        absent_fields=absent,
    )


def _read(
    path: Path,
    profile: Profile,
    kind: str,
    plan: _Plan,
    wanted: list[str],
    header: list[str],
    progress: bool,
    source_label: str,
    received_between: tuple[datetime, datetime] | None,
    scan: Future[_FileScan],
) -> tuple[pa.Table, list[Reject], int]:
    if kind == "parquet":
        raw_table, invalid = _read_parquet(path, wanted), list[Reject]()
    else:
        raw_table, invalid = _read_csv(path, profile, wanted, header, progress, scan)
    raw_table = _clean_columns(raw_table, profile, nulled=kind == "csv")
    records = np.arange(1, raw_table.num_rows + 1, dtype=np.int64)
    raw_table = raw_table.append_column("_rec", pa.array(records))
    table, rejects = _normalise(
        raw_table, plan, profile, source_label or path.name, received_between
    )
    if kind == "csv" and (rejects or invalid):
        # No record spans lines when the file has exactly one line per record plus the
        # header (blank lines make it fall back to reading the records again).
        one_line = not invalid and scan.result().lines == raw_table.num_rows + 1
        rejects = _with_line_numbers(path, profile, rejects, bool(invalid), one_line)
    elif kind == "parquet":
        rejects = [Reject(r.line + 1, r.column, r.value, r.reason, r.kept) for r in rejects]
    rejects = sorted([*invalid, *rejects], key=lambda r: (r.line, r.column))
    return table, rejects, raw_table.num_rows + len(invalid)


def _with_line_numbers(
    path: Path, profile: Profile, rejects: list[Reject], had_invalid: bool, one_line: bool
) -> list[Reject]:
    """Turn record numbers into the file's line numbers (records may span lines)."""
    if one_line:
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
    """Parse, check and clean the cleaned text of ``raw_table`` into the canonical table.

    One DuckDB pass over the Arrow columns parses every field and flags every row that
    fails a check; the result comes back as Arrow columns in record order, and the rest
    (midnight rollovers, duplicates, UTC, the kept rows) is vectorised array work on it:
    no table is materialised inside DuckDB, sorted or joined (those were half of an
    import's time)."""
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET enable_progress_bar = false")
        specs = {**profile.fields, **{f"x_{k}": v for k, v in profile.extras.items()}}
        fast = _fast_times(raw_table, plan, specs)
        for name, values in fast.items():
            raw_table = raw_table.append_column(f"_time_{name}", values)
        con.register("raw", raw_table)
        selects = ["_rec"]
        for name, expr in plan.raw.items():
            selects.append(f"{expr} AS {_ident('raw_' + name)}")
        selects.extend(_ident(f"_time_{name}") for name in fast)
        con.execute(f"CREATE TEMP VIEW cleaned AS SELECT {', '.join(selects)} FROM raw")

        parsed = []
        checks: list[tuple[str, str, str]] = []  # (field, condition, reason)
        key_fields = [k for k in profile.key if k in plan.raw] or ["call_id"]
        # Plain text fields (one column, no rewriting) are not copied through DuckDB: the
        # cleaned Arrow column is taken for the kept rows at the end (copying every text
        # value into DuckDB and back was a third of the SQL's cost).
        arrow_text = {
            name: plan.columns[name]
            for name in plan.raw
            if name not in key_fields
            and plan.raw[name] == _ident(plan.columns[name])
            and name not in TIME_FIELDS
            and name not in NUMBER_FIELDS
            and name not in ("officer_initiated", "units")
            and not name.startswith("x_")
        }
        for name in plan.raw:
            spec = specs[name]
            raw = _ident("raw_" + name)
            if name in TIME_FIELDS:
                expr = _ident(f"_time_{name}") if name in fast else _time_expr(raw, spec)
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
            elif name in arrow_text:
                continue
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
        # The call key (profile's key fields), from the cleaned text.
        key_expr = " || ':' || ".join(f"coalesce({_ident(k)}, '')" for k in key_fields)
        names = [n for n in plan.raw if n not in arrow_text]
        inner = f"SELECT *, {', '.join(parsed)} FROM cleaned"
        any_flag = " OR ".join(f"coalesce({condition}, false)" for _, condition, _ in checks)
        # Every row parsed once, with one flag for "fails a check"; the parsed values come
        # back in record order (a projection of a scan keeps its order in DuckDB).
        wide = con.execute(
            f"SELECT _rec, {', '.join(_ident(n) for n in names)}, {key_expr} AS call_key, "
            f"({any_flag}) AS _bad FROM ({inner})"
        ).fetch_arrow_table()
        rec = wide["_rec"].to_numpy()
        if len(rec) and not (rec[0] == 1 and bool(np.all(np.diff(rec) == 1))):
            wide = wide.sort_by("_rec")  # never seen; the positions below rely on the order
        bad_mask = pc.fill_null(wide["_bad"], False).to_numpy(zero_copy_only=False)
        bad_recs = (np.flatnonzero(bad_mask) + 1).tolist()

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

        # Which check each flagged row fails: the few flagged rows parsed again.
        flagged: list[Any] = []
        if bad_recs:
            con.register("bad_recs", pa.table({"_rec": pa.array(bad_recs, pa.int64())}))
            flags = ", ".join(
                f"coalesce({condition}, false) AS _chk{i}"
                for i, (_, condition, _) in enumerate(checks)
            )
            flagged = con.execute(
                f"SELECT _rec, {flags} FROM ({inner} WHERE _rec IN (SELECT _rec FROM bad_recs)) "
                "ORDER BY _rec"
            ).fetchall()
        reject_rows: list[Reject] = []
        for i, (name, _, reason) in enumerate(checks):
            recs = [int(row[0]) for row in flagged if row[i + 1]]
            texts = raw_text(recs, name)
            label = plan.columns.get(name, name)
            for r in recs:
                value = texts.get(r)
                reject_rows.append(Reject(r, label, "" if value is None else str(value), reason))

        columns: dict[str, np.ndarray | pa.ChunkedArray] = {}
        valid: dict[str, np.ndarray] = {}
        for n in TIME_FIELDS:
            if n in names:
                columns[n], valid[n] = _micros(wide[n])
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
            t, received = columns[n], columns["received_at"]
            both = valid[n] & valid["received_at"]
            before = both & (t < received)
            rolls = before & (t + _US_DAY <= received + ROLLOVER_HOURS * _US_HOUR)
            cleared = before & ~rolls
            recs = (np.flatnonzero(cleared) + 1).tolist()
            texts = raw_text(recs, n)
            for r in recs:
                value = texts.get(r)
                reject_rows.append(
                    Reject(
                        r,
                        plan.columns.get(n, n),
                        "" if value is None else str(value),
                        f"before the received time and not a crossing of midnight (the next "
                        f"day would be over {ROLLOVER_HOURS} h later): time left empty",
                        kept=True,
                    )
                )
            columns[n] = np.where(rolls, t + _US_DAY, t)
            valid[n] = valid[n] & ~cleared

        # Duplicated keys in one file: the latest version (the last record) wins, the
        # earlier ones are rejected (an export appends a call again when it changes).
        con.register("wide", wide)
        dupes: list[Any] = []
        keys = wide["call_key"]
        # Keys in strictly increasing order (exports sorted by call number) cannot repeat:
        # one comparison of neighbours instead of hashing every key.
        increasing = len(keys) < 2 or bool(
            pc.all(pc.greater(keys.slice(1), keys.slice(0, len(keys) - 1))).as_py()
        )
        groups = (
            None
            if increasing
            else con.execute(
                "SELECT call_key, max(_rec) AS last_rec FROM wide "
                "WHERE NOT coalesce(_bad, false) GROUP BY call_key HAVING count(*) > 1"
            ).fetch_arrow_table()
        )
        if groups is not None and groups.num_rows:
            con.register("dup_keys", groups)
            dupes = con.execute(
                "SELECT w._rec, w.call_key, d.last_rec FROM wide w JOIN dup_keys d "
                "USING (call_key) WHERE NOT coalesce(w._bad, false) AND w._rec <> d.last_rec "
                "ORDER BY w._rec"
            ).fetchall()
        for r, key, last in dupes:
            reject_rows.append(
                Reject(
                    int(r),
                    plan.columns["call_id"],
                    str(key),
                    f"duplicate call id (the later version on record {last} is kept)",
                )
            )
        keep = ~bad_mask
        if dupes:
            keep[np.array([int(d[0]) for d in dupes]) - 1] = False
        records = np.flatnonzero(keep) + 1

        received_local = _to_utc(columns, valid, profile, plan)
        table = _canonical(
            wide, columns, valid, received_local, records, plan, source_label, raw_table, arrow_text
        )
        # A later time before the received time is a negative interval: kept (every
        # analysis skips negative intervals) and counted in the rejects report.
        for n in TIME_FIELDS:
            if n == "received_at" or n not in plan.raw or n in rolled:
                continue
            before = pc.fill_null(pc.less(table[n], table["received_at"]), False)
            for r, value in zip(
                table["record"].filter(before).to_pylist(),
                table[n].filter(before).to_pylist(),
                strict=True,
            ):
                reject_rows.append(
                    Reject(
                        int(r),
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


def _fast_times(
    raw_table: pa.Table, plan: _Plan, specs: dict[str, FieldSpec]
) -> dict[str, pa.ChunkedArray]:
    """The time fields Arrow can parse for DuckDB, 4x faster: a plain column whose every
    value has the shape of the commonest layout, 2025-01-31 23:59:59 (19 bytes, a space
    at the 11th), for which _time_expr would take DuckDB's cast. Arrow's cast is
    stricter and all or nothing: on any value it refuses (a 24:00:00 DuckDB rolls over,
    a year 0), the column is left to DuckDB's expression, so every value is read as
    before."""
    wanted = [
        name
        for name in plan.raw
        if name in TIME_FIELDS
        and "%Y-%m-%d %H:%M:%S" in specs[name].formats
        and plan.raw[name] == _ident(plan.columns[name])
    ]

    def parse(name: str) -> pa.ChunkedArray | None:
        column = raw_table[plan.columns[name]]
        if not _all_timestamp_shaped(column):
            return None
        try:
            parsed: pa.ChunkedArray = column.cast(pa.timestamp("us"))
        except pa.ArrowInvalid:
            return None
        return parsed

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(pool.map(parse, wanted))
    return {n: r for n, r in zip(wanted, results, strict=True) if r is not None}


def _all_timestamp_shaped(column: pa.ChunkedArray) -> bool:
    """Whether every present value is 19 bytes with a space at the 11th (from the
    column's buffers, without a copy)."""
    for chunk in column.chunks:
        if chunk.type != pa.string():
            return False
        if len(chunk) == 0:
            continue
        validity, offsets_buf, data_buf = chunk.buffers()
        assert offsets_buf is not None
        offsets = np.frombuffer(offsets_buf, dtype=np.int32)[
            chunk.offset : chunk.offset + len(chunk) + 1
        ]
        starts, lengths = offsets[:-1], np.diff(offsets)
        shaped = lengths == 19
        if validity is not None:
            shaped |= ~pc.is_valid(chunk).to_numpy(zero_copy_only=False)
        if not shaped.all():
            return False
        if data_buf is None:
            continue  # every value missing
        data = np.frombuffer(data_buf, dtype=np.uint8)
        present = lengths == 19
        if not (data[starts[present] + 10] == 0x20).all():
            return False
    return True


_US_SECOND = 1_000_000
_US_HOUR = 3600 * _US_SECOND
_US_DAY = 24 * _US_HOUR
_EPOCH = datetime(1970, 1, 1)


def _micros(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """A timestamp column as (microseconds since 1970, is-present), numpy arrays."""
    as_int = column.cast(pa.timestamp("us")).cast(pa.int64())
    values = pc.fill_null(as_int, 0).to_numpy()
    present = pc.is_valid(as_int).to_numpy(zero_copy_only=False)
    return values, present


def _segments(
    times: list[tuple[np.ndarray, np.ndarray]], offsets_at: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where the UTC offsets change, over the days the ``times`` ((microseconds,
    present) pairs) fall on: (hour starts in microseconds, offset at the first
    occurrence, at the second occurrence, in seconds), each change starting a segment.
    ``offsets_at(hour)`` gives the two offsets of an hour. Each day is looked at by its
    start and the next day's; a day whose two differ (a daylight-saving change) is
    looked at hour by hour. Up to ten years, every day of the span; beyond (old or
    mistyped dates), only the days present."""
    spans = [
        (
            int(np.min(values, where=present, initial=np.iinfo(np.int64).max)) // _US_DAY,
            int(np.max(values, where=present, initial=np.iinfo(np.int64).min)) // _US_DAY,
        )
        for values, present in times
        if present.any()
    ]
    if not spans:
        return np.array([], np.int64), np.array([], np.int64), np.array([], np.int64)
    lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
    if hi - lo <= 3660:
        days = np.arange(lo, hi + 1)
    else:
        day_lists = [values[present] // _US_DAY for values, present in times]
        if hi - lo < 1 << 22:  # a mark per day of the span: no sort of every time
            seen = np.zeros(hi - lo + 1, np.bool_)
            for d in day_lists:
                seen[d - lo] = True
            days = np.flatnonzero(seen) + lo
        else:  # times spread over more than 11,000 years: sorted instead
            days = np.unique(np.concatenate(day_lists))
    starts: list[int] = []
    first: list[int] = []
    second: list[int] = []

    def add(at: int, value: tuple[int, int]) -> None:
        if starts and (first[-1], second[-1]) == value:
            return
        starts.append(at)
        first.append(value[0])
        second.append(value[1])

    for day in days.tolist():
        start = _EPOCH + timedelta(days=day)
        here, after = offsets_at(start), offsets_at(start + timedelta(days=1))
        add(day * _US_DAY, here)
        if here != after:
            for h in range(1, 24):
                add(day * _US_DAY + h * _US_HOUR, offsets_at(start + timedelta(hours=h)))
    return np.array(starts, np.int64), np.array(first, np.int64), np.array(second, np.int64)


def _lookup(
    values: np.ndarray, segments: tuple[np.ndarray, np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """The two offsets (microseconds) of each time: the segment its hour starts."""
    starts, first, second = segments
    if len(starts) == 0:
        zero = np.zeros(len(values), np.int64)
        return zero, zero
    at = np.clip(np.searchsorted(starts, values, side="right") - 1, 0, None)
    return first[at] * _US_SECOND, second[at] * _US_SECOND


def _to_utc(
    columns: dict[str, Any], valid: dict[str, np.ndarray], profile: Profile, plan: _Plan
) -> np.ndarray:
    """Local wall-clock times to UTC in ``columns``, exactly across daylight-saving
    changes; returns the received time on the city's clock.

    Offsets come from the IANA database per local hour. In the repeated hour of the
    autumn change a local time is ambiguous: the received time takes the first
    occurrence; a later time of the same call takes the second occurrence when the
    first would place it before the call was received (a call cannot close before it
    starts). Unix-epoch fields are already UTC. The offsets are looked up by binary
    search in the few segments where they are constant (per-hour table joins before).
    """
    zone = ZoneInfo(profile.timezone)
    utc_zone = ZoneInfo("UTC")
    local = [
        n
        for n in TIME_FIELDS
        if n in plan.raw and not any(f.startswith("epoch") for f in profile.fields[n].formats)
    ]
    cols = [n for n in TIME_FIELDS if n in plan.raw]

    def local_offsets(hour: datetime) -> tuple[int, int]:
        a = hour.replace(tzinfo=zone, fold=0).utcoffset() or timedelta(0)
        b = hour.replace(tzinfo=zone, fold=1).utcoffset() or timedelta(0)
        return int(a.total_seconds()), int(b.total_seconds())

    def utc_offsets(hour: datetime) -> tuple[int, int]:
        off = hour.replace(tzinfo=utc_zone).astimezone(zone).utcoffset() or timedelta(0)
        return int(off.total_seconds()), int(off.total_seconds())

    present = [(columns[n], valid[n]) for n in local]
    segments = _segments(present, local_offsets) if present else None
    received = columns["received_at"]
    if "received_at" in local:
        assert segments is not None
        received_local = received
        off0, _ = _lookup(received, segments)
        received_utc = received - off0
    else:
        received_utc = received
        off, _ = _lookup(received, _segments([(received, valid["received_at"])], utc_offsets))
        received_local = received + off
    for name in cols:
        if name not in local:
            continue
        if name == "received_at":
            columns[name] = received_utc
            continue
        assert segments is not None
        t = columns[name]
        off0, off1 = _lookup(t, segments)
        second = (off0 != off1) & (t - off0 < received_utc) & valid["received_at"]
        columns[name] = np.where(second, t - off1, t - off0)
    out: np.ndarray = received_local
    return out


def _canonical(
    wide: pa.Table,
    columns: dict[str, Any],
    valid: dict[str, np.ndarray],
    received_local: np.ndarray,
    records: np.ndarray,
    plan: _Plan,
    source_label: str,
    raw_table: pa.Table,
    arrow_text: dict[str, str],
) -> pa.Table:
    """The canonical table of the kept ``records`` (1-based, increasing): the parsed
    columns of ``wide`` (every record, in order), the converted ``columns`` and the
    ``arrow_text`` fields (name -> column of ``raw_table``)."""
    have = set(plan.raw)
    n = len(records)

    def times(values: np.ndarray, present: np.ndarray) -> pa.ChunkedArray:
        array = pa.array(values, pa.int64(), mask=~present).cast(pa.timestamp("us"))
        return _kept(pa.chunked_array([array]), records)

    out: dict[str, pa.ChunkedArray | pa.Array] = {}
    for f in CANONICAL_SCHEMA:
        name = f.name
        if name == "record":
            out[name] = pa.array(records.astype(np.int64), pa.int64())
        elif name == "received_local":
            out[name] = times(received_local, valid["received_at"])
        elif name == "source_file":
            out[name] = pa.repeat(pa.scalar(source_label, pa.string()), n)
        elif name in arrow_text:
            out[name] = _kept(raw_table[arrow_text[name]], records).cast(pa.string())
        elif name in columns:
            out[name] = times(columns[name], valid[name])
        elif name == "units":
            units = _kept(wide["units"], records) if "units" in have else None
            out[name] = (
                pc.fill_null(units, 1).cast(pa.int32())
                if units is not None
                else pa.repeat(pa.scalar(1, pa.int32()), n)
            )
        elif name in have or name == "call_key":
            out[name] = _kept(wide[name], records).cast(f.type)
        else:
            out[name] = pa.nulls(n, f.type)
    for name in sorted(have):
        if name in SENSITIVE_FIELDS:
            source = raw_table[arrow_text[name]] if name in arrow_text else wide[name]
            out[name] = _kept(source, records).cast(pa.string())
        elif name.startswith("x_"):
            out[name] = _kept(wide[name], records).cast(pa.float64())
    return pa.table(list(out.values()), names=list(out))


def _kept(column: pa.ChunkedArray, records: np.ndarray) -> pa.ChunkedArray:
    """The values of ``column`` at ``records`` (1-based, increasing). The kept records are
    nearly all of them, in runs: slices of the column share its memory (no copy); many
    short runs are taken instead."""
    rec = records - 1
    if len(rec) == 0:
        return column.slice(0, 0)
    breaks = np.flatnonzero(np.diff(rec) != 1)
    if len(breaks) > 1000:
        return column.take(pa.array(rec))
    starts = np.concatenate(([rec[0]], rec[breaks + 1]))
    ends = np.concatenate((rec[breaks], [rec[-1]])) + 1
    chunks = [
        chunk
        for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
        for chunk in column.slice(start, end - start).chunks
    ]
    return pa.chunked_array(chunks, type=column.type)
