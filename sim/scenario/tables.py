"""CSV actor tables: the ``delegations_csv`` and ``stakeholders_csv`` a scenario file names.

Each row becomes an actor (``pos_<provision>`` and ``sal_<provision>`` columns become its
positions and salience), and its line is remembered so that a problem names the CSV line. A
table is read only if it is a regular file of bounded size, stops at the largest conference
treatysim runs, and is never quoted unless its header makes it an actor table.
"""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim import errors
from sim.errors import (
    InputError,
    Problem,
    Unreadable,
    csv_message,
    decode,
    did_you_mean,
    read_bytes,
    shown,
)
from sim.scenario.schema import MAX_ACTORS

if TYPE_CHECKING:
    from sim.scenario.loader import RawScenario

#: Columns a CSV actor table may have besides ``pos_<provision>`` and ``sal_<provision>``.
CSV_COLUMNS = {
    "delegations": (
        "id",
        "name",
        "bloc",
        "coalitions",
        "capability",
        "votes",
        "domestic_openness",
        "concession",
        "seated",
    ),
    "stakeholders": ("id", "name", "kind", "home", "resources"),
}
_NUMERIC = {"capability", "votes", "domestic_openness", "resources"}
#: Keys the loader reads itself, besides the scenario's fields.
LOADER_KEYS = ("delegations_csv", "stakeholders_csv", "extends")


def append_csv_tables(raw: RawScenario, file: Path) -> None:
    """Append the rows of the scenario's ``delegations_csv`` / ``stakeholders_csv`` tables."""
    problems: list[Problem] = []
    for table in ("delegations", "stakeholders"):
        key = f"{table}_csv"
        if key not in raw.data:
            continue
        reference = raw.data.pop(key)
        if not isinstance(reference, str):
            problems.append(Problem(str(file), key, "must be a path (a string)"))
            continue
        rows = raw.data.setdefault(table, [])
        if not isinstance(rows, list):
            continue  # validation reports the type
        csv_path = Path(os.path.abspath(file.parent / reference))
        try:
            text = decode(read_bytes(csv_path, errors.MAX_TABLE_BYTES), str(csv_path))
        except Unreadable as err:
            message = (
                f"CSV file not found: {csv_path}"
                if err.missing
                else f"cannot read {csv_path}: {err.reason}"
            )
            problems.append(Problem(str(file), key, message))
            continue
        except InputError as err:
            problems += err.problems
            continue
        for line, row in _read_actor_csv(text, csv_path, table, problems):
            raw.origins[(table, len(rows))] = f"{csv_path} line {line}"
            rows.append(row)
        raw.files.append(csv_path)
    if problems:
        raise InputError(problems)


def _read_actor_csv(text: str, path: Path, table: str, problems: list[Problem]):
    """Rows of a CSV actor table as ``(line, actor)``; problems are collected, not raised.

    A file whose header has no ``id`` column is not an actor table: it is refused without
    quoting any of it, since a path may name any file (``/etc/shadow``).
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            problems.append(
                Problem(str(path), "", "empty; expected a header row with an 'id' column")
            )
            return
        if "id" not in header:
            problems.append(
                Problem(f"{path} line 1", "", f"not a {table} table: the header has no 'id' column")
            )
            return
        allowed = CSV_COLUMNS[table]
        counts = Counter(header)
        for column in counts:
            if counts[column] > 1:
                problems.append(Problem(f"{path} line 1", column, "column given twice"))
            elif column not in allowed and not column.startswith(("pos_", "sal_")):
                problems.append(
                    Problem(
                        f"{path} line 1",
                        column,
                        f"unknown column{did_you_mean(column, allowed)}; allowed: "
                        f"{', '.join(allowed)}, pos_<provision>, sal_<provision>",
                    )
                )
        if problems:
            return
        rows = 0
        for cells in reader:
            line = reader.line_num
            if not cells:
                continue
            rows += 1
            if rows > MAX_ACTORS:
                problems.append(
                    Problem(
                        str(path),
                        "",
                        f"more than {MAX_ACTORS:,} {table}; treatysim runs at most {MAX_ACTORS:,}",
                    )
                )
                return
            if len(cells) > len(header):
                problems.append(
                    Problem(f"{path} line {line}", "", "more cells than header columns")
                )
                continue
            row = dict(zip(header, cells, strict=False))
            yield line, _row_to_actor(row, path, line, problems)
    except csv.Error as err:
        problems.append(Problem(f"{path} line {reader.line_num}", "", csv_message(err)))


def _row_to_actor(row: dict[str, str], path: Path, line: int, problems: list[Problem]) -> dict:
    actor: dict[str, Any] = {}
    positions: dict[str, Any] = {}
    salience: dict[str, Any] = {}
    for column, cell in row.items():
        cell = (cell or "").strip()
        if cell == "":
            continue
        if column.startswith(("pos_", "sal_")) or column in _NUMERIC:
            try:
                value: Any = float(cell)
            except ValueError:
                problems.append(
                    Problem(f"{path} line {line}", column, f"not a number: {shown(cell)}")
                )
                continue
        elif column == "coalitions":
            value = [part.strip() for part in cell.split(";") if part.strip()]
        elif column == "seated":
            value = {
                "true": True,
                "yes": True,
                "1": True,
                "false": False,
                "no": False,
                "0": False,
            }.get(cell.lower(), cell)
        elif column == "concession":
            try:
                value = float(cell)
            except ValueError:
                value = cell
        else:
            value = cell
        if column.startswith("pos_"):
            positions[column[4:]] = value
        elif column.startswith("sal_"):
            salience[column[4:]] = value
        else:
            actor[column] = value
    if positions:
        actor["positions"] = positions
    if salience:
        actor["salience"] = salience
    return actor
