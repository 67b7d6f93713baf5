#!/usr/bin/env python3
"""Complete (or check) sqllogictest files against a real PostgreSQL.

Cachet's own `.slt` suites (crates/cachet/tests/slt/) take their expected
results from PostgreSQL, the reference for every behaviour. This tool runs
each file's records, in order, on one connection to a fresh temporary
database, then:

- `query <types> [sort]` records: replaces the expected result block (the
  lines after `----`, or appends `----` and the block if there is none) with
  PostgreSQL's result, rendered the way the Rust runner renders values
  (crates/cachet-slt/src/format.rs): `I` integer, `R` real as `%.3f`
  (SQLite's printf rules), `T` text; NULL is `NULL`, the empty string
  `(empty)`, control characters `@`, booleans `t`/`f` under `T` and `1`/`0`
  under `I`. Values are typed by the column's PostgreSQL type (boolean,
  integers, floats and numeric are converted like Cachet's typed cells,
  everything else is PostgreSQL's text output). Results are written
  row-wise (one row per line, values joined by one space), except that
  `valuesort` results are written one value per line. `rowsort` rows and
  `valuesort` values are sorted the way the runner sorts them.
- `query error <regex>`, `statement ok`, `statement error <regex>` and
  `statement count N` records: checks that PostgreSQL agrees and prints a
  warning for every disagreement. An error is matched as the text
  `<message> (SQLSTATE <code>)`, like Cachet's errors, so a regex such as
  `42703` or `does not exist` works on both.

Conditions: `onlyif <engine>` for another engine skips the record, `halt`
stops the file. `skipif postgresql` is IGNORED here on purpose: in our
suites it marks records where Cachet (engine label `postgresql`) has a known
bug, and PostgreSQL must still provide their expected results.

Usage:
    python3 scripts/slt_complete.py crates/cachet/tests/slt/*.slt
    python3 scripts/slt_complete.py --check crates/cachet/tests/slt/*.slt

`--check` only reports differences (results that would change and
disagreements) and exits with status 1 if there are any; without it, files
are rewritten in place. `--dsn` (or `$CACHET_SLT_PG_DSN`) names the admin
connection, default `host=localhost user=postgres password=postgres
dbname=postgres`. Sessions run with TimeZone=UTC, DateStyle=ISO, MDY,
IntervalStyle=postgres and extra_float_digits=1, like Cachet's defaults.

Requires Python 3.11 and psycopg 3 (`pip install 'psycopg[binary]'`).
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass, field

import psycopg
from psycopg import pq

DEFAULT_DSN = "host=localhost user=postgres password=postgres dbname=postgres"
SESSION_OPTIONS = (
    "-c TimeZone=UTC -c DateStyle=ISO,MDY -c IntervalStyle=postgres"
    " -c extra_float_digits=1"
)
ENGINE = "postgresql"

# PostgreSQL type OIDs that map to typed cells (see cachet_db.rs `cell`).
OID_BOOL = 16
OID_INTS = {20, 21, 23}
OID_FLOATS = {700, 701}
OID_NUMERIC = 1700


# ---------------------------------------------------------------- formatting
# A port of crates/cachet-slt/src/format.rs. A cell is (kind, value) with
# kind in "null", "bool", "int", "float", "numeric", "text"; for floats the
# PostgreSQL text output is kept too, for the `T` rendering.


def push_real(f: float) -> str:
    """SQLite's printf("%.3f"): at most 16 significant digits, ties away."""
    decimals, max_significant = 3, 16
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "Inf" if f > 0 else "-Inf"
    out = "-" if f < 0 else ""
    sci = "%.39e" % abs(f)
    mantissa, exp_s = sci.split("e")
    exp = int(exp_s)
    digits = [int(c) for c in mantissa if c.isdigit()]
    keep = min(exp + 1 + decimals, max_significant)
    if keep < 0 or f == 0.0:
        digits = []
    else:
        round_up = keep < len(digits) and digits[keep] >= 5
        digits = digits[:keep]
        if round_up:
            i = len(digits)
            while True:
                if i == 0:
                    digits.insert(0, 1)
                    exp += 1
                    break
                i -= 1
                if digits[i] == 9:
                    digits[i] = 0
                else:
                    digits[i] += 1
                    break

    def digit_at(pos: int) -> str:
        idx = exp - pos
        return str(digits[idx]) if 0 <= idx < len(digits) else "0"

    if not digits or exp < 0:
        out += "0"
    else:
        out += "".join(digit_at(p) for p in range(exp, -1, -1))
    return out + "." + "".join(digit_at(-p) for p in range(1, decimals + 1))


def saturate_i64(v: int) -> int:
    return max(-(2**63), min(2**63 - 1, v))


def float_to_int(f: float) -> int:
    if f != f:
        return 0
    if f in (float("inf"), float("-inf")):
        return saturate_i64(2**64 if f > 0 else -(2**64))
    return saturate_i64(int(f))


def leading_int(s: str) -> int:
    t = s.lstrip(" \t\n\r\x0b\x0c")
    m = re.match(r"([+-]?)(\d*)", t)
    assert m is not None
    if not m.group(2):
        return 0
    v = int(m.group(2))
    return saturate_i64(-v if m.group(1) == "-" else v)


def leading_float(s: str) -> float:
    t = s.lstrip(" \t\n\r\x0b\x0c")
    m = re.match(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", t)
    return float(m.group(0)) if m else 0.0


def numeric_as_int(s: str) -> str:
    t = s.strip()
    m = re.fullmatch(r"([+-]?)(\d*)(?:\.(\d*))?", t)
    if not m or (not m.group(2) and not m.group(3)):
        try:
            f = float(t)
        except ValueError:
            f = leading_float(t)
        return str(float_to_int(f))
    int_part = m.group(2).lstrip("0")
    if not int_part:
        return "0"
    return ("-" if m.group(1) == "-" else "") + int_part


def push_text(s: str) -> str:
    if s == "":
        return "(empty)"
    return "".join("@" if (c < " " or c == "\x7f") else c for c in s)


def format_cell(cell: tuple[str, object, str | None], ty: str) -> str:
    kind, v, text = cell
    if kind == "null":
        return "NULL"
    if kind == "bool":
        return {"I": "1" if v else "0", "R": "1.000" if v else "0.000"}.get(
            ty, "t" if v else "f"
        )
    if kind == "int":
        return push_real(float(v)) if ty == "R" else str(v)
    if kind == "float":
        if ty == "I":
            return str(float_to_int(v))
        if ty == "R":
            return push_real(v)
        return text  # PostgreSQL's own (shortest round-trip) float output
    if kind == "numeric":
        if ty == "I":
            return numeric_as_int(v)
        if ty == "R":
            try:
                return push_real(float(v.strip()))
            except ValueError:
                return push_real(leading_float(v))
        return v
    # text
    if ty == "I":
        return str(leading_int(v))
    if ty == "R":
        return push_real(leading_float(v))
    return push_text(v)


def make_cell(oid: int, raw: bytes | None) -> tuple[str, object, str | None]:
    if raw is None:
        return ("null", None, None)
    s = raw.decode("utf-8")
    if oid == OID_BOOL:
        return ("bool", s == "t", s)
    if oid in OID_INTS:
        return ("int", int(s), s)
    if oid in OID_FLOATS:
        return ("float", float(s), s)
    if oid == OID_NUMERIC:
        return ("numeric", s, s)
    return ("text", s, s)


def sort_rows(rows: list[list[str]], sort: str) -> list[list[str]]:
    if sort == "rowsort":
        return sorted(rows)
    return rows


# ---------------------------------------------------------------- parsing
# Mirrors crates/cachet-slt/src/parser.rs: records are separated by blank
# lines; lines starting with `#` are comments wherever they appear.


@dataclass
class Record:
    start: int  # index of the first line (conditions included)
    header_line: int  # 1-based line number of the header, as the runner reports
    conditions: list[tuple[str, str]]
    header: str
    sql_lines: list[int] = field(default_factory=list)  # indexes of SQL lines
    dashes: int | None = None  # index of the `----` line
    results: list[int] = field(default_factory=list)  # indexes of result lines
    end: int = 0  # index one past the last non-comment line of the record


def is_blank(line: str) -> bool:
    return line.strip() == ""


def parse(lines: list[str]) -> list[Record]:
    records: list[Record] = []
    i, n = 0, len(lines)
    while i < n:
        if lines[i].startswith("#") or is_blank(lines[i]):
            i += 1
            continue
        # Collect this record's non-comment line indexes.
        idx: list[int] = []
        start = i
        while i < n and not is_blank(lines[i]):
            if not lines[i].startswith("#"):
                idx.append(i)
            i += 1
        conditions: list[tuple[str, str]] = []
        k = 0
        while k < len(idx):
            w = lines[idx[k]].split()
            if w and w[0] in ("skipif", "onlyif") and len(w) > 1:
                conditions.append((w[0], w[1]))
                k += 1
            else:
                break
        if k >= len(idx):
            continue
        rec = Record(start, idx[k] + 1, conditions, lines[idx[k]], end=idx[-1] + 1)
        body = idx[k + 1 :]
        words = rec.header.split()
        if words and words[0] == "query":
            for j, li in enumerate(body):
                if lines[li] == "----":
                    rec.dashes = li
                    rec.results = body[j + 1 :]
                    break
                rec.sql_lines.append(li)
        else:
            rec.sql_lines = body
        records.append(rec)
    return records


def rest_after_words(line: str, n: int) -> str:
    s = line.lstrip()
    for _ in range(n):
        m = re.match(r"\S*\s*", s)
        assert m is not None
        s = s[m.end() :]
    return s.rstrip()


def header_words(header: str) -> list[str]:
    out = []
    for w in header.split():
        if w.startswith("#"):
            break
        out.append(w)
    return out


# ---------------------------------------------------------------- running


@dataclass
class Outcome:
    ok: bool
    error: str = ""  # "<message> (SQLSTATE <code>)"
    oids: list[int] = field(default_factory=list)
    rows: list[list[bytes | None]] = field(default_factory=list)
    affected: int | None = None


def execute(conn: psycopg.Connection, sql: str) -> Outcome:
    res = conn.pgconn.exec_(sql.encode("utf-8"))
    if res.status == pq.ExecStatus.FATAL_ERROR:
        code = (res.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()
        msg = (res.error_field(pq.DiagnosticField.MESSAGE_PRIMARY) or b"").decode()
        return Outcome(False, f"{msg} (SQLSTATE {code})")
    if res.status not in (
        pq.ExecStatus.COMMAND_OK,
        pq.ExecStatus.TUPLES_OK,
        pq.ExecStatus.EMPTY_QUERY,
    ):
        return Outcome(False, f"unexpected result status {res.status.name}")
    oids = [res.ftype(c) for c in range(res.nfields)]
    rows = [
        [res.get_value(r, c) for c in range(res.nfields)] for r in range(res.ntuples)
    ]
    tuples = res.command_tuples
    return Outcome(True, oids=oids, rows=rows, affected=tuples)


class Problems:
    def __init__(self) -> None:
        self.count = 0

    def warn(self, path: str, line: int, what: str, sql: str) -> None:
        self.count += 1
        one_line = " ".join(sql.split())
        print(f"{path}:{line}: {what}\n    sql: {one_line}", file=sys.stderr)


def render(rec_types: str, sort: str, out: Outcome) -> list[str]:
    rows = [
        [format_cell(make_cell(oid, v), t) for oid, v, t in zip(out.oids, row, rec_types)]
        for row in out.rows
    ]
    if sort == "valuesort":
        return sorted(v for row in rows for v in row)
    return [" ".join(r) for r in sort_rows(rows, sort)]


def process_file(path: str, admin: psycopg.Connection, dsn: str, check: bool,
                 problems: Problems, serial: int) -> bool:
    """Runs one file; returns whether it changed (or would change)."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    records = parse(lines)
    dbname = f"slt_complete_{os.getpid()}_{serial}"
    admin.execute(f"DROP DATABASE IF EXISTS {dbname}")
    admin.execute(f"CREATE DATABASE {dbname}")
    replacements: list[tuple[Record, list[str]]] = []
    try:
        with psycopg.connect(dsn, dbname=dbname, autocommit=True,
                             options=SESSION_OPTIONS) as conn:
            collate = conn.execute("SHOW lc_collate").fetchone()
            if collate and collate[0] not in ("C", "C.UTF-8", "C.utf8", "POSIX"):
                print(f"warning: lc_collate is {collate[0]}; Cachet sorts text "
                      "bytewise (C collation)", file=sys.stderr)
            for rec in records:
                w = header_words(rec.header)
                if any(c == "onlyif" and e.lower() != ENGINE for c, e in rec.conditions):
                    continue
                if w[0] == "halt":
                    break
                if w[0] not in ("statement", "query"):
                    continue
                sql = "\n".join(lines[i] for i in rec.sql_lines)
                if not sql:
                    problems.warn(path, rec.header_line, "record without SQL", "")
                    continue
                out = execute(conn, sql)
                line = rec.header_line
                if w[0] == "statement":
                    kind = w[1] if len(w) > 1 else ""
                    if kind == "error":
                        pattern = rest_after_words(rec.header, 2)
                        if out.ok:
                            problems.warn(path, line, "PostgreSQL succeeded, "
                                          f"expected an error /{pattern}/", sql)
                        elif pattern and not re.search(pattern, out.error):
                            problems.warn(path, line, f"PostgreSQL's error "
                                          f"does not match /{pattern}/: {out.error}", sql)
                    elif not out.ok:
                        problems.warn(path, line, f"PostgreSQL failed: {out.error}", sql)
                    elif kind == "count":
                        want = int(w[2])
                        if out.affected != want:
                            problems.warn(path, line, f"PostgreSQL affected "
                                          f"{out.affected} rows, expected {want}", sql)
                    continue
                # query
                if len(w) > 1 and w[1] == "error":
                    pattern = rest_after_words(rec.header, 2)
                    if out.ok:
                        problems.warn(path, line, f"PostgreSQL returned {len(out.rows)} "
                                      f"rows, expected an error /{pattern}/", sql)
                    elif pattern and not re.search(pattern, out.error):
                        problems.warn(path, line, "PostgreSQL's error does not match "
                                      f"/{pattern}/: {out.error}", sql)
                    continue
                types = w[1] if len(w) > 1 else ""
                sort = w[2] if len(w) > 2 else "nosort"
                if not out.ok:
                    problems.warn(path, line, f"PostgreSQL failed: {out.error}", sql)
                    continue
                if len(out.oids) != len(types) or not re.fullmatch("[ITR]*", types):
                    problems.warn(path, line, f"PostgreSQL returned {len(out.oids)} "
                                  f"columns, the type string is `{types}`", sql)
                    continue
                new = render(types, sort, out)
                for v in new:
                    if is_blank(v) or v.startswith("#") or v != v.rstrip() or v == "----":
                        problems.warn(path, line, f"result line {v!r} cannot be "
                                      "written faithfully in a .slt file", sql)
                old = [lines[i] for i in rec.results]
                if old != new or rec.dashes is None:
                    replacements.append((rec, new))
                    if check:
                        problems.warn(path, line, "expected result differs from "
                                      f"PostgreSQL's:\n    file: {old}\n    pg:   {new}", sql)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")
    if check or not replacements:
        return bool(replacements)
    # Rewrite from the bottom up so that earlier indexes stay valid.
    for rec, new in sorted(replacements, key=lambda r: r[0].start, reverse=True):
        if rec.dashes is None:
            at = rec.end
            lines[at:at] = ["----", *new]
        else:
            first = rec.dashes + 1
            last = rec.results[-1] + 1 if rec.results else first
            lines[first:last] = new
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    return True


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+", help=".slt files to complete or check")
    ap.add_argument("--check", action="store_true",
                    help="only report differences; do not rewrite files")
    ap.add_argument("--dsn", default=os.environ.get("CACHET_SLT_PG_DSN", DEFAULT_DSN),
                    help="admin connection string (default: %(default)s)")
    args = ap.parse_args()
    problems = Problems()
    changed = 0
    with psycopg.connect(args.dsn, autocommit=True) as admin:
        for serial, path in enumerate(args.files):
            if process_file(path, admin, args.dsn, args.check, problems, serial):
                changed += 1
                if not args.check:
                    print(f"rewrote {path}", file=sys.stderr)
    print(f"{len(args.files)} files, {changed} "
          f"{'would change' if args.check else 'rewritten'}, {problems.count} warnings",
          file=sys.stderr)
    return 1 if args.check and problems.count else 0


if __name__ == "__main__":
    sys.exit(main())
