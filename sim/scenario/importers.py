"""Importing position–salience–capability data from decision-model research.

Two layouts are read:

- ``long``: a CSV with columns ``actor,issue,position,salience,capability`` and optionally
  ``bloc``, one row per actor × issue — the layout of expert-coded decision datasets such as
  *The European Union Decides* (Thomson et al. 2006). An actor called ``status_quo`` (or
  ``SQ``) gives each issue's status quo.
- ``decide``: the tab-separated layout of the DECIDE exchange-model tools, rows tagged ``#A``
  (actor: key, name), ``#P`` (issue: key, name, description), ``#M`` (a meaning of a position:
  issue, position[, text]), ``#D`` (data: actor, issue, position, salience, power); ``#0`` and
  ``#/`` rows are comments. Fields may be wrapped in single quotes.

Positions are rescaled to 0–100 from the source scale, which is recorded in each provision's
description: for DECIDE the range of an issue's ``#M`` meanings; otherwise ``--scale LOW:HIGH``,
or by default the smallest of 0–1, 0–10 and 0–100 holding every position (else the observed
range). The model has one capability per delegation; where the source gives power per issue,
the mean over issues is used. An actor without a position on an issue is given the issue's
capability-weighted mean position with zero salience there, and the scenario's description
says how many such gaps were filled.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sim import errors
from sim.errors import InputError, Problem, Unreadable, csv_message, decode, read_bytes, shown
from sim.scenario.schema import MAX_SCALE

LONG_COLUMNS = ("actor", "issue", "position", "salience", "capability")
STATUS_QUO_ACTORS = {"status_quo", "sq"}
DECIDE_TAGS = ("#A", "#P", "#M", "#D", "#0", "#/")
_NICE_SCALES = ((0.0, 1.0), (0.0, 10.0), (0.0, 100.0))


@dataclass
class Table:
    """Decision data read from a file, before it becomes a scenario."""

    source: Path
    layout: str
    actors: dict[str, str] = field(default_factory=dict)  # source key → name
    blocs: dict[str, str] = field(default_factory=dict)  # actor key → bloc
    issues: dict[str, tuple[str, str]] = field(default_factory=dict)  # key → (title, description)
    scales: dict[str, tuple[float, float, str]] = field(
        default_factory=dict
    )  # key → (low, high, how)
    cells: dict[tuple[str, str], tuple[float, float, float]] = field(default_factory=dict)
    status_quo: dict[str, float] = field(default_factory=dict)  # issue → position (source scale)


def parse_scale(text: str | None) -> tuple[float, float] | None:
    """``"LOW:HIGH"`` → (low, high); ``None`` or ``"auto"`` → None."""
    if text is None or text == "auto":
        return None
    try:
        low, high = (float(part) for part in text.split(":"))
    except ValueError:
        raise InputError.single("--scale", "", f"expected LOW:HIGH or auto, got {text!r}") from None
    if not high > low:
        raise InputError.single("--scale", "", f"HIGH must exceed LOW, got {text!r}")
    return low, high


def read_table(path: Path, layout: str, scale: tuple[float, float] | None = None) -> Table:
    """Read a ``long`` or ``decide`` file; every malformed row is a problem with its line.

    Only a regular file of at most :data:`sim.errors.MAX_TABLE_BYTES` is read. A file that is
    not in the layout at all is one problem, quoting none of it, with a hint at the other layout.
    """
    try:
        data = read_bytes(path, errors.MAX_TABLE_BYTES)
    except Unreadable as err:
        message = "no such file" if err.missing else f"cannot read: {err.reason}"
        raise InputError.single(str(path), "", message) from None
    text = decode(data, str(path))
    reader = {"long": _read_long, "decide": _read_decide}[layout]
    table = Table(source=path, layout=layout)
    problems: list[Problem] = []
    try:
        reader(text, path, table, problems)
    except csv.Error as err:
        problems.append(Problem(str(path), "", f"not a valid CSV table: {err}"))
    if not table.cells and not problems:
        problems.append(Problem(str(path), "", "no data rows"))
    if problems:
        raise InputError(problems)
    _set_scales(table, scale)
    return table


def _number(text: str, where: str, column: str, problems: list[Problem], low=None, strict=False):
    try:
        value = float(text)
    except (TypeError, ValueError):
        problems.append(Problem(where, column, f"not a number: {shown(text)}"))
        return None
    if not math.isfinite(value) or abs(value) > MAX_SCALE:
        problems.append(
            Problem(
                where,
                column,
                f"must be a finite number of at most {MAX_SCALE:g}, got {shown(text)}",
            )
        )
        return None
    if low is not None and (value <= low if strict else value < low):
        problems.append(
            Problem(where, column, f"must be {'>' if strict else '≥'} {low:g}, got {value:g}")
        )
        return None
    return value


def _add_cell(table, key, row, where, problems, seen) -> None:
    actor, issue = key
    if key in seen:
        problems.append(
            Problem(
                where,
                "",
                f"a second row for actor {actor!r} on issue {issue!r} (first at line {seen[key]})",
            )
        )
        return
    seen[key] = where.rsplit(" ", 1)[-1]
    table.cells[key] = row


def _read_long(text: str, path: Path, table: Table, problems: list[Problem]) -> None:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as err:
        problems.append(Problem(f"{path} line 1", "", csv_message(err)))
        return
    if not set(header) & set(LONG_COLUMNS):
        hint = " (a DECIDE file? use --format decide)" if text.lstrip("'\"").startswith("#") else ""
        problems.append(
            Problem(
                f"{path} line 1",
                "",
                f"not a long-layout table: the header names none of {', '.join(LONG_COLUMNS)}{hint}",
            )
        )
        return
    missing = [c for c in LONG_COLUMNS if c not in header]
    extra = [c for c in header if c not in (*LONG_COLUMNS, "bloc")]
    twice = sorted({c for c in header if header.count(c) > 1})
    if missing or extra or twice:
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(shown(c, 20) for c in extra[:5])}" if extra else "",
                f"given twice: {', '.join(twice)}" if twice else "",
            )
            if part
        )
        problems.append(
            Problem(
                f"{path} line 1",
                "header",
                f"{detail} (expected {','.join(LONG_COLUMNS)}[,bloc])",
            )
        )
        return
    seen: dict = {}
    try:
        for cells in reader:
            _read_long_row(cells, header, f"{path} line {reader.line_num}", table, problems, seen)
    except csv.Error as err:
        problems.append(Problem(f"{path} line {reader.line_num}", "", csv_message(err)))


def _read_long_row(cells, header, where, table, problems, seen) -> None:
    if not cells:
        return
    if len(cells) > len(header):
        problems.append(Problem(where, "", "more cells than header columns"))
        return
    row = dict(zip(header, [*cells, *[""] * (len(header) - len(cells))], strict=True))
    actor, issue = (row["actor"] or "").strip(), (row["issue"] or "").strip()
    if not actor or not issue:
        problems.append(Problem(where, "actor" if not actor else "issue", "empty"))
        return
    position = _number(row["position"], where, "position", problems)
    if actor.lower() in STATUS_QUO_ACTORS:
        if position is not None:
            table.status_quo[issue] = position
            table.issues.setdefault(issue, (issue, ""))
        return
    salience = _number(row["salience"], where, "salience", problems, low=0.0)
    capability = _number(row["capability"], where, "capability", problems, low=0.0, strict=True)
    table.actors.setdefault(actor, actor)
    table.issues.setdefault(issue, (issue, ""))
    bloc = (row.get("bloc") or "").strip()
    if bloc:
        previous = table.blocs.setdefault(actor, bloc)
        if previous != bloc:
            problems.append(
                Problem(
                    where,
                    "bloc",
                    f"actor {actor!r} was in bloc {previous!r} on an earlier row",
                )
            )
    if None not in (position, salience, capability):
        _add_cell(table, (actor, issue), (position, salience, capability), where, problems, seen)


def _unquote(field_text: str) -> str:
    field_text = field_text.strip()
    if len(field_text) >= 2 and field_text[0] == field_text[-1] == "'":
        return field_text[1:-1]
    return field_text


def _read_decide(text: str, path: Path, table: Table, problems: list[Problem]) -> None:
    meanings: dict[str, list[float]] = defaultdict(list)
    data_rows = []
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if _unquote(first.split("\t")[0]) not in DECIDE_TAGS:
        hint = f" (a CSV with {','.join(LONG_COLUMNS)}? use --format long)" if "," in first else ""
        problems.append(
            Problem(
                str(path),
                "",
                f"not a DECIDE file: its rows should start with {', '.join(DECIDE_TAGS)}{hint}",
            )
        )
        return
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        fields = [_unquote(f) for f in line.split("\t")]
        tag, rest = fields[0], fields[1:]
        where = f"{path} line {number}"
        if tag in ("#0", "#/"):
            continue
        if tag == "#A":
            if not rest or not rest[0]:
                problems.append(Problem(where, "#A", "needs an actor key"))
                continue
            table.actors[rest[0]] = rest[1] if len(rest) > 1 and rest[1] else rest[0]
        elif tag == "#P":
            if not rest or not rest[0]:
                problems.append(Problem(where, "#P", "needs an issue key"))
                continue
            title = rest[1] if len(rest) > 1 and rest[1] else rest[0]
            table.issues[rest[0]] = (title, rest[2] if len(rest) > 2 else "")
        elif tag == "#M":
            if len(rest) < 2:
                problems.append(Problem(where, "#M", "needs an issue and a position"))
                continue
            value = _number(rest[1], where, "#M position", problems)
            if value is not None:
                meanings[rest[0]].append(value)
        elif tag == "#D":
            if len(rest) < 5:
                problems.append(
                    Problem(
                        where,
                        "#D",
                        f"needs actor, issue, position, salience, power; got {len(rest)} fields",
                    )
                )
                continue
            data_rows.append((where, rest))
        else:
            problems.append(
                Problem(
                    where,
                    "",
                    f"unknown row type {shown(tag, 20)} (expected {', '.join(DECIDE_TAGS)})",
                )
            )
    seen: dict = {}
    for where, (actor, issue, position, salience, power, *_) in data_rows:
        if actor not in table.actors:
            problems.append(Problem(where, "#D", f"actor {actor!r} has no #A row"))
            continue
        if issue not in table.issues:
            problems.append(Problem(where, "#D", f"issue {issue!r} has no #P row"))
            continue
        values = (
            _number(position, where, "position", problems),
            _number(salience, where, "salience", problems, low=0.0),
            _number(power, where, "power", problems, low=0.0, strict=True),
        )
        if None not in values:
            _add_cell(table, (actor, issue), values, where, problems, seen)
    for issue, points in meanings.items():
        if issue in table.issues and max(points) > min(points):
            table.scales[issue] = (min(points), max(points), "#M meanings")


def _set_scales(table: Table, scale: tuple[float, float] | None) -> None:
    positions = [cell[0] for cell in table.cells.values()] + list(table.status_quo.values())
    if scale is not None:
        default = (scale[0], scale[1], "--scale")
    else:
        low, high = min(positions), max(positions)
        nice = next(((a, b) for a, b in _NICE_SCALES if a <= low and high <= b), None)
        default = (
            (*nice, "smallest standard range")
            if nice
            else (low, high if high > low else low + 1, "observed range")
        )
    for issue in table.issues:
        if scale is not None or issue not in table.scales:
            table.scales[issue] = default
    problems = []
    for (actor, issue), (position, _, _) in table.cells.items():
        low, high, how = table.scales[issue]
        if not low - 1e-9 <= position <= high + 1e-9:
            problems.append(
                Problem(
                    str(table.source),
                    f"{actor} / {issue}",
                    f"position {position:g} outside the scale {low:g}–{high:g} ({how})",
                )
            )
    if problems:
        raise InputError(problems)


# --- the scenario ------------------------------------------------------------------------------


def slug(text: str) -> str:
    """An id the scenario format accepts: letters, digits, '_' and '-'."""
    cleaned = re.sub(r"[^A-Za-z0-9_\-]+", "_", text.strip()).strip("_-")
    return cleaned or "x"


def _unique_ids(keys) -> dict[str, str]:
    ids, used = {}, set()
    for key in keys:
        base = slug(key)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}_{n}", n + 1
        used.add(candidate)
        ids[key] = candidate
    return ids


def _rescale(value: float, low: float, high: float) -> float:
    return round((value - low) / (high - low) * 100.0, 6)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _sentences(*parts: str) -> str:
    """Join texts as sentences: ``"binding or not"`` and ``"Source …"`` get a full stop between."""
    texts = [part.strip() for part in parts if part and part.strip()]
    return " ".join(t if t[-1] in ".!?" or t is texts[-1] else f"{t}." for t in texts)


def to_scenario(table: Table, name: str | None = None) -> dict:
    """Raw scenario data: every actor a delegation, every issue a provision.

    The scenario is called ``name``, by default "Imported from <file name>".
    """
    scenario_name = name or f"Imported from {table.source.name}"
    issue_ids = _unique_ids(table.issues)
    actor_ids = _unique_ids(table.actors)
    bloc_ids = _unique_ids(sorted(set(table.blocs.values())))
    provisions = []
    for issue, (title, description) in table.issues.items():
        low, high, how = table.scales[issue]
        note = f"Source scale {low:g}–{high:g} ({how}), rescaled to 0–100."
        entry = {
            "id": issue_ids[issue],
            "title": title or issue,
            "description": _sentences(description, note) if description != title else note,
        }
        if issue in table.status_quo:
            entry["status_quo"] = _rescale(table.status_quo[issue], low, high)
        provisions.append(entry)
    filled = 0
    means = {}
    for issue in table.issues:
        cells = [(p, c) for (a, i), (p, _, c) in table.cells.items() if i == issue]
        total = sum(c for _, c in cells)
        means[issue] = sum(p * c for p, c in cells) / total if cells else table.scales[issue][0]
    delegations = []
    for actor, name in table.actors.items():
        positions, salience, power = {}, {}, []
        for issue in table.issues:
            low, high, _ = table.scales[issue]
            cell = table.cells.get((actor, issue))
            if cell is None:
                filled += 1
                positions[issue_ids[issue]] = _rescale(means[issue], low, high)
                salience[issue_ids[issue]] = 0.0
                continue
            position, weight, capability = cell
            positions[issue_ids[issue]] = _rescale(position, low, high)
            salience[issue_ids[issue]] = weight
            power.append(capability)
        if not power:
            continue  # an actor named in #A without any data
        entry = {"id": actor_ids[actor], "name": name}
        if actor in table.blocs:
            entry["bloc"] = bloc_ids[table.blocs[actor]]
        entry["capability"] = round(sum(power) / len(power), 6)
        entry["positions"] = positions
        if sum(salience.values()) > 0:
            entry["salience"] = salience
        delegations.append(entry)
    description = (
        f"Imported from {table.source.name} ({table.layout} layout) by `treatysim import`: "
        f"{_count(len(delegations), 'actor')}, {_count(len(provisions), 'issue')}."
    )
    if filled:
        description += (
            f" {_count(filled, 'actor-issue pair')} had no position; each was given the issue's"
            " capability-weighted mean position with zero salience."
        )
    varying = [
        a for a in table.actors if len({c[2] for (x, _), c in table.cells.items() if x == a}) > 1
    ]
    if varying:
        description += (
            f" Power varied by issue for {_count(len(varying), 'actor')};"
            f" capability is {'its' if len(varying) == 1 else 'their'} mean."
        )
    raw = {
        "name": scenario_name,
        "description": description,
        "provisions": provisions,
    }
    if bloc_ids:
        raw["blocs"] = [{"id": bid, "name": bloc} for bloc, bid in bloc_ids.items()]
    raw["delegations"] = delegations
    return raw
