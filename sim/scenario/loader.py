"""Reading scenarios: TOML files, CSV actor tables, command-line overrides, readable errors.

``load_scenario(path, overrides)`` reads the TOML (a folder means its ``scenario.toml``), appends
the rows of any ``delegations_csv`` / ``stakeholders_csv`` tables, applies ``--set`` overrides to
the raw data, and validates the result. Every problem becomes one line naming the file (and CSV
line) and the field, collected in an :class:`~sim.errors.InputError`.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from sim import errors
from sim.errors import (
    CrossFieldProblems,
    InputError,
    Problem,
    Unreadable,
    csv_message,
    decode,
    did_you_mean,
    parse_toml,
    read_bytes,
    shown,
)
from sim.scenario.overrides import apply_overrides
from sim.scenario.schema import MAX_ACTORS, MAX_CELLS, MAX_PROVISIONS, Scenario

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
#: The longest chain of scenarios extending one another.
MAX_EXTENDS = 32
_NUMERIC = {"capability", "votes", "domestic_openness", "resources"}
#: Keys the loader reads itself, besides the scenario's fields.
LOADER_KEYS = ("delegations_csv", "stakeholders_csv", "extends")
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_PATH_ITEM = re.compile(r"^(delegations|stakeholders|provisions|blocs)\[([^\]]+)\]")


def scenario_file(path: str | Path) -> Path:
    """The TOML file a path names: the path itself, or ``scenario.toml`` inside a folder."""
    path = Path(path)
    try:
        folder = path.is_dir()
    except (OSError, ValueError):  # too long, NUL: reading it says why
        folder = False
    return path / "scenario.toml" if folder else path


@dataclass
class RawScenario:
    """A scenario's data before validation.

    Attributes:
        data: the merged TOML data with CSV rows appended.
        origins: where CSV-born items came from: ``(table, index) → "file line N"``.
        files: every file read (TOML files of the ``extends`` chain, CSV tables), in order.
    """

    data: dict
    origins: dict[tuple[str, int], str] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)


def load_scenario(path: str | Path, overrides: Sequence[str | tuple[str, str]] = ()) -> Scenario:
    """Read, override and validate a scenario file.

    Raises:
        InputError: with one problem per line for anything wrong.
    """
    return load_with_inputs(path, overrides)[0]


def load_with_inputs(
    path: str | Path, overrides: Sequence[str | tuple[str, str]] = ()
) -> tuple[Scenario, list[Path]]:
    """Like :func:`load_scenario`, also returning every file read (for provenance).

    An override is ``"PATH=VALUE"`` (``--set``) or ``(option, "PATH=VALUE")``; problems in a
    field an override set are reported against its option, not the file.
    """
    file = scenario_file(path)
    raw = read_raw(file)
    overridden = apply_overrides(raw.data, overrides)
    return validate(raw.data, str(file), raw.origins, overridden), raw.files


def read_raw(file: Path, _chain: tuple[tuple[int, int], ...] = ()) -> RawScenario:
    """The scenario's raw data: its ``extends`` base merged under it, CSV rows appended.

    A scenario may name a base with ``extends = "path"`` (relative to it). Tables merge key by
    key, the child's values winning; lists (provisions, blocs, delegations, stakeholders) and
    other values are replaced as a whole. Chains are at most :data:`MAX_EXTENDS` files long.
    """
    file = Path(file)
    data, identity = _read_toml(file, None)
    return _read_raw(file, data, (*_chain, identity), [file])


def _read_raw(file: Path, data: dict, chain: tuple, seen: list[Path]) -> RawScenario:
    base = None
    if "extends" in data:
        reference = data.pop("extends")
        if not isinstance(reference, str):
            raise InputError.single(str(file), "extends", "must be a path (a string)")
        if len(chain) >= MAX_EXTENDS:
            raise InputError.single(
                str(file),
                "extends",
                f"a chain of more than {MAX_EXTENDS} scenarios extending one another",
            )
        base_file = scenario_file(file.parent / reference)
        base_data, identity = _read_toml(base_file, (str(file), "extends"))
        if identity in chain:
            cycle = " → ".join(os.path.abspath(f) for f in (*seen, base_file))
            raise InputError.single(
                str(file), "extends", f"scenarios extend each other in a cycle: {cycle}"
            )
        base = _read_raw(base_file, base_data, (*chain, identity), [*seen, base_file])
    own = RawScenario(data, files=[file])
    _append_csv_tables(own, file)
    if base is None:
        return own
    origins = {key: where for key, where in base.origins.items() if key[0] not in data}
    origins.update(own.origins)
    return RawScenario(_merge(base.data, data), origins, base.files + own.files)


def _read_toml(file: Path, referrer: tuple[str, str] | None) -> tuple[dict, tuple[int, int]]:
    """A scenario file's data and identity; an unreadable base is reported where it is named."""
    try:
        data = read_bytes(file, errors.MAX_TOML_BYTES)
        info = os.stat(file)
    except Unreadable as err:
        if referrer is None:
            message = "no such file" if err.missing else f"cannot read: {err.reason}"
            raise InputError.single(str(file), "", message) from None
        where, key = referrer
        message = (
            f"no such scenario: {file}" if err.missing else f"cannot read {file}: {err.reason}"
        )
        raise InputError.single(where, key, message) from None
    except OSError as err:  # replaced since it was read
        raise InputError.single(str(file), "", f"cannot read: {err.strerror}") from None
    return parse_toml(decode(data, str(file)), str(file)), (info.st_dev, info.st_ino)


def _merge(base: dict, child: dict) -> dict:
    merged = dict(base)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _append_csv_tables(raw: RawScenario, file: Path) -> None:
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


# --- validation and messages -------------------------------------------------------------------


def validate(
    raw: dict, where: str, origins: dict | None = None, overridden: dict | None = None
) -> Scenario:
    """Validate raw scenario data; problems name ``where`` (or a CSV line) and the field.

    ``overridden`` maps paths set by overrides to their option (see
    :func:`sim.scenario.overrides.apply_overrides`); problems there name the option instead.
    """
    too_big = size_problems(raw, where)
    if too_big:
        raise InputError(too_big)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        raise InputError(
            validation_problems(err, raw, where, origins or {}, overridden, Scenario)
        ) from None


def size_problems(raw: object, where: str) -> list[Problem]:
    """Problems with a conference too large to run, found before anything is validated."""
    if not isinstance(raw, dict):
        return []
    counts = {
        key: len(raw[key]) if isinstance(raw.get(key), list) else 0
        for key in ("delegations", "stakeholders", "provisions")
    }
    problems = []
    for key in ("delegations", "stakeholders"):
        if counts[key] > MAX_ACTORS:
            problems.append(
                Problem(where, key, f"{counts[key]:,} {key}; treatysim runs at most {MAX_ACTORS:,}")
            )
    if counts["provisions"] > MAX_PROVISIONS:
        problems.append(
            Problem(
                where,
                "provisions",
                f"{counts['provisions']:,} provisions; treatysim runs at most {MAX_PROVISIONS:,}",
            )
        )
    cells = (counts["delegations"] + counts["stakeholders"]) * counts["provisions"]
    if not problems and cells > MAX_CELLS:
        problems.append(
            Problem(
                where,
                "",
                f"(delegations + stakeholders) × provisions is {cells:,}, more than the "
                f"{MAX_CELLS:,} one run fits in memory (about 0.6 kB each); split the conference "
                "or drop provisions",
            )
        )
    return problems


#: What an unknown key in a scenario is not part of, and where the format is described.
SCENARIO_FORMAT = "the scenario format; see docs/scenario-format.md"


def validation_problems(
    err: ValidationError,
    raw: dict,
    where: str,
    origins: dict,
    overridden: dict | None = None,
    model: type[BaseModel] | None = None,
    about: str = SCENARIO_FORMAT,
) -> list[Problem]:
    """One problem per pydantic error, with the field path by id and CSV origins resolved.

    An unknown key suggests the nearest known one of ``model`` (default: the scenario's, when
    ``err`` is about a scenario) and says which format it is not part of (``about``). For a scenario whose fields failed, before its references
    between tables could be checked, the references are checked on the raw data, so that an
    unknown bloc is reported with a bad capability, not after it is fixed.
    """
    if model is None and err.title == Scenario.__name__:
        model = Scenario
    ids = _ids_by_index(raw)
    found: list[tuple[str, str]] = []
    for item in err.errors():
        ctx_error = item.get("ctx", {}).get("error")
        prefix = _path(item["loc"], raw)
        if isinstance(ctx_error, CrossFieldProblems):
            for path, message in ctx_error.problems:
                found.append((".".join(p for p in (prefix, path) if p), message))
            continue
        found.append((prefix, _message(item, model, about)))
    if model is Scenario and isinstance(raw, dict) and all(e["loc"] for e in err.errors()):
        found += reference_problems(raw)
    located = [
        _located(path, _suggested(message, raw), where, origins, ids, overridden or {})
        for path, message in found
    ]
    return list(dict.fromkeys(located))


def _ids_by_index(raw: dict) -> dict[tuple[str, str], int]:
    out = {}
    for table in ("delegations", "stakeholders"):
        items = raw.get(table)
        if isinstance(items, list):
            for index, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    out.setdefault((table, item["id"]), index)
    return out


def _located(
    path: str, message: str, where: str, origins: dict, ids: dict, overridden: dict
) -> Problem:
    """Point a problem at the option that set the field, or its CSV line, or the file."""
    for prefix, option in overridden.items():
        if path == prefix or path.startswith((f"{prefix}.", f"{prefix}[")):
            return Problem(option, path, message)
    match = _PATH_ITEM.match(path)
    if match:
        table, key = match.groups()
        index = ids.get((table, key), int(key) if key.isdigit() else None)
        origin = origins.get((table, index))
        if origin:
            rest = path[match.end() :].lstrip(".")
            column = re.sub(r"^positions\.", "pos_", re.sub(r"^salience\.", "sal_", rest))
            return Problem(origin, column, message)
    return Problem(where, path, message)


def _path(loc: tuple, raw: Any) -> str:
    """``('delegations', 3, 'positions', 'scope')`` → ``delegations[USA].positions.scope``."""
    parts: list[str] = []
    node = raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list):
            item = node[part] if part < len(node) else None
            label = (
                item.get("id")
                if isinstance(item, dict) and isinstance(item.get("id"), str)
                else part
            )
            parts[-1] = f"{parts[-1]}[{label}]" if parts else f"[{label}]"
            node = item
        elif isinstance(node, dict) and part in node:
            parts.append(str(part))
            node = node[part]
        elif (
            isinstance(node, dict)
            and isinstance(part, str)
            and node is not raw
            and _is_type_tag(part)
        ):
            continue
        else:
            if isinstance(node, dict) or node is None:
                parts.append(str(part))
            node = None
    return ".".join(parts)


def _is_type_tag(part: str) -> bool:
    return "[" in part or part in {"float", "int", "str", "bool", "dict", "list"}


def _message(item: dict, model: type[BaseModel] | None, about: str = "") -> str:
    kind = item["type"]
    if kind == "extra_forbidden":
        known = _keys_at(model, item["loc"][:-1]) if model is not None else []
        return f"unknown key{did_you_mean(item['loc'][-1], known)} (not part of {about or SCENARIO_FORMAT})"
    if kind == "missing":
        return "required field is missing"
    message = item["msg"].removeprefix("Value error, ")
    if "input" in item and kind not in ("model_type", "dict_type", "list_type"):
        shown = repr(item["input"])
        if len(shown) <= 40:
            message += f" (got {shown})"
    return message


def _keys_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys a table at ``loc`` may have: the fields of the model found there."""
    node: object = model
    for part in loc:
        if isinstance(part, int) or _is_type_tag(part):
            continue
        fields = getattr(node, "model_fields", {})
        if part not in fields:
            return []
        node = _model_in(fields[part].annotation)
    keys = list(getattr(node, "model_fields", {}))
    return keys + list(LOADER_KEYS) if node is Scenario else keys


def _model_in(annotation: object) -> type[BaseModel] | None:
    """The model a field holds, inside ``list[...]``, ``X | None`` or ``Annotated``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in get_args(annotation):
        found = _model_in(argument)
        if found is not None:
            return found
    return None


_UNKNOWN_ID = re.compile(r"^unknown (provision|bloc|delegation) '(.*)'$", re.S)


def _suggested(message: str, raw: dict) -> str:
    """An unknown-reference message with the nearest id of that kind suggested."""
    match = _UNKNOWN_ID.match(message)
    if match is None or not isinstance(raw, dict):
        return message
    kind, key = match.groups()
    return message + did_you_mean(key, _ids(raw, f"{kind}s"))


def _ids(raw: dict, table: str) -> list[str]:
    items = raw.get(table)
    if not isinstance(items, list):
        return []
    return [i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str)]


def reference_problems(raw: dict) -> list[tuple[str, str]]:
    """References between tables checked on raw data: ``(path, message)`` pairs.

    The same checks, in the same words, as :func:`sim.scenario.compiled.compile_scenario` makes of a
    scenario whose fields are valid (duplicate ids first, then unknown provisions, blocs and
    delegations), for one whose fields are not. Items without a valid id are skipped; their id
    is a problem of its own.
    """
    problems: list[tuple[str, str]] = []
    tables = {t: _ids(raw, t) for t in ("provisions", "blocs", "delegations", "stakeholders")}
    for table, ids in tables.items():
        counts = Counter(ids)
        problems += [(f"{table}[{i}]", f"duplicate id '{i}'") for i, c in counts.items() if c > 1]
    if problems:
        return problems
    known = {table: set(ids) for table, ids in tables.items()}

    def items(table: str):
        for item in raw.get(table) or []:
            if isinstance(item, dict) and _ID.match(str(item.get("id"))):
                yield f"{table}[{item['id']}]", item

    def unknown(path: str, mapping: object) -> None:
        for key in mapping if isinstance(mapping, dict) else ():
            if _ID.match(key) and key not in known["provisions"]:
                problems.append((f"{path}.{key}", f"unknown provision '{key}'"))

    def unknown_ref(path: str, ref: object, kind: str) -> None:
        if isinstance(ref, str) and _ID.match(ref) and ref not in known[kind]:
            problems.append((path, f"unknown {kind[:-1]} '{ref}'"))

    for path, bloc in items("blocs"):
        unknown(f"{path}.positions", bloc.get("positions"))
        unknown(f"{path}.salience", bloc.get("salience"))
        unknown_ref(f"{path}.parent", bloc.get("parent"), "blocs")
    for path, delegation in items("delegations"):
        unknown(f"{path}.positions", delegation.get("positions"))
        unknown(f"{path}.salience", delegation.get("salience"))
        unknown_ref(f"{path}.bloc", delegation.get("bloc"), "blocs")
        coalitions = delegation.get("coalitions")
        for ref in coalitions if isinstance(coalitions, list) else ():
            unknown_ref(f"{path}.coalitions", ref, "blocs")
    for path, stakeholder in items("stakeholders"):
        positions, salience = stakeholder.get("positions"), stakeholder.get("salience")
        unknown(f"{path}.positions", positions)
        unknown(f"{path}.salience", salience)
        if isinstance(positions, dict) and isinstance(salience, dict):
            for key in salience:
                if key in known["provisions"] and key not in positions:
                    problems.append(
                        (
                            f"{path}.salience.{key}",
                            "salience for a provision it takes no position on",
                        )
                    )
        unknown_ref(f"{path}.home", stakeholder.get("home"), "delegations")
    return problems


def scenario_json_schema() -> dict:
    """JSON Schema of a scenario file, including the keys the loader handles itself."""
    schema = Scenario.model_json_schema()
    schema["properties"]["delegations_csv"] = {
        "type": "string",
        "description": "CSV table of further delegations, relative to the TOML file",
    }
    schema["properties"]["extends"] = {
        "type": "string",
        "description": "a base scenario (file or folder, relative to this file) this one modifies",
    }
    schema["properties"]["stakeholders_csv"] = {
        "type": "string",
        "description": "CSV table of further stakeholders, relative to the TOML file",
    }
    return schema
