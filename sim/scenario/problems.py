"""A scenario's problems in words: one line per problem, naming the file (or CSV line) and field.

Pydantic's errors become :class:`~sim.errors.Problem` lines with paths by id
(``delegations[USA].positions.scope``), pointed at the option or CSV line that set the field;
unknown keys suggest the nearest known one; references between tables are checked on the raw
data when field validation fails, so one pass reports everything; a conference too large to run
is refused before anything is validated.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from sim.errors import CrossFieldProblems, Problem, did_you_mean
from sim.scenario.schema import MAX_ACTORS, MAX_CELLS, MAX_PROVISIONS, Scenario
from sim.scenario.tables import LOADER_KEYS

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")
_PATH_ITEM = re.compile(r"^(delegations|stakeholders|provisions|blocs)\[([^\]]+)\]")


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
