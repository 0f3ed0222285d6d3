"""Overrides: ``--set PATH=VALUE`` and experiment factors applied to raw scenario data.

The path is dotted; items of a list are addressed by id or by index; the value is read as TOML,
and a bare word that is not TOML is taken as a string. Overrides change the raw data before it
is validated, so the result is checked like a file.
"""

from __future__ import annotations

import tomllib
from copy import deepcopy
from typing import Any

from sim.errors import MAX_DEPTH, InputError, Problem, nesting, too_deep


def parse_value(text: str) -> Any:
    """A ``--set`` value: TOML if it parses as a TOML value, else the bare string.

    Raises:
        InputError: when the value nests deeper than :data:`sim.errors.MAX_DEPTH`.
    """
    source = f"value = {text}"
    if too_deep(source) is not None:
        raise InputError.single("--set", "", f"nested deeper than {MAX_DEPTH} levels")
    try:
        return tomllib.loads(source)["value"]
    except tomllib.TOMLDecodeError:
        return text
    except RecursionError:  # not expected after the check above; never a traceback
        raise InputError.single("--set", "", f"nested deeper than {MAX_DEPTH} levels") from None


def apply_overrides(raw: dict, overrides: list[str] | tuple[str, ...]) -> None:
    """Apply ``path=value`` overrides in place; list items are addressed by id or index."""
    problems = []
    for override in overrides:
        path, sep, text = override.partition("=")
        path = path.strip()
        if not sep or not path:
            problems.append(
                Problem("--set", override, "expected PATH=VALUE, e.g. process.rounds=12")
            )
            continue
        parts = path.split(".")
        try:
            value = parse_value(text.strip())
        except InputError:
            value = None
        if value is None or len(parts) + nesting(value) > MAX_DEPTH:
            problems.append(Problem("--set", path, f"nested deeper than {MAX_DEPTH} levels"))
            continue
        try:
            set_path(raw, parts, value)
        except KeyError as err:
            problems.append(Problem("--set", path, err.args[0]))
    if problems:
        raise InputError(problems)


def set_path(node: Any, parts: list[str], value: Any) -> None:
    """Set ``value`` at the dotted path ``parts`` of raw scenario data, in place.

    List items are addressed by id (or index); a missing table on the way is created; an
    openness given as a preset name becomes ``{preset = name}`` so that one dimension can be set.

    Raises:
        KeyError: with a message, when the path cannot be followed.
    """
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            index = _list_index(node, part, where)
            if last:
                node[index] = value
                return
            node = node[index]
        elif isinstance(node, dict):
            if last:
                node[part] = value
                return
            child = node.get(part)
            if child is None:
                child = node[part] = {}
            elif isinstance(child, str) and part == "openness":
                child = node[part] = {"preset": child}
            elif not isinstance(child, dict | list):
                raise KeyError(
                    f"{'.'.join(parts[: depth + 1])} is a value ({child!r}), not a table"
                )
            node = child
        else:
            raise KeyError(f"cannot set inside {where}")


def _list_index(items: list, part: str, where: str) -> int:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    raise KeyError(f"no item with id '{part}' in {where}")


def with_overrides(data: dict, assignments) -> dict:
    """A copy of raw scenario data with ``(dotted path, value)`` assignments applied.

    Raises:
        KeyError: with a message, when a path cannot be followed.
    """
    result = deepcopy(data)
    for path, value in assignments:
        set_path(result, path.split("."), deepcopy(value))
    return result
