"""Overrides: ``--set PATH=VALUE`` and experiment factors applied to raw scenario data.

The path is dotted; items of a list are addressed by id or by index; the value is read as TOML,
and a bare word that is not TOML is taken as a string. Overrides change the raw data before it
is validated, so the result is checked like a file.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from copy import deepcopy
from typing import Any

from sim.errors import MAX_DEPTH, InputError, Problem, did_you_mean, nesting, shown, too_deep


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


def apply_overrides(raw: dict, overrides: Sequence[str | tuple[str, str]]) -> dict[str, str]:
    """Apply ``path=value`` overrides in place; list items are addressed by id or index.

    An override is ``"PATH=VALUE"`` (from ``--set``) or ``(option, "PATH=VALUE")`` for one a
    command builds from another option (``("--threshold", "process.threshold=0.6")``).

    Returns:
        The option each set field came from, by the field's path as problems name it
        (``delegations[ALD].capability``), so that a problem there is reported against it.
    """
    problems = []
    sources: dict[str, str] = {}
    for override in overrides:
        option, override = override if isinstance(override, tuple) else ("--set", override)
        path, sep, text = override.partition("=")
        path = path.strip()
        if not sep or not path:
            problems.append(
                Problem(option, override, "expected PATH=VALUE, e.g. process.rounds=12")
            )
            continue
        parts = path.split(".")
        try:
            value = parse_value(text.strip())
        except InputError:
            value = None
        if value is None or len(parts) + nesting(value) > MAX_DEPTH:
            problems.append(Problem(option, path, f"nested deeper than {MAX_DEPTH} levels"))
            continue
        try:
            sources[set_path(raw, parts, value)] = option
        except KeyError as err:
            problems.append(Problem(option, path, err.args[0]))
    if problems:
        raise InputError(problems)
    return sources


def set_path(node: Any, parts: list[str], value: Any) -> str:
    """Set ``value`` at the dotted path ``parts`` of raw scenario data, in place.

    List items are addressed by id (or index); a missing table on the way is created; an
    openness given as a preset name becomes ``{preset = name}`` so that one dimension can be set.

    Returns:
        The path as problems name it: list items by id, ``delegations[ALD].capability``.

    Raises:
        KeyError: with a message, when the path cannot be followed.
    """
    named = ""
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[:depth]) or "the scenario"
        if isinstance(node, list):
            index = _list_index(node, part, where)
            item = node[index]
            label = item.get("id") if isinstance(item, dict) else None
            named += f"[{label if isinstance(label, str) else index}]"
            if last:
                node[index] = value
                return named
            node = item
            continue
        if not isinstance(node, dict):
            raise KeyError(f"cannot set inside {where}")
        named = f"{named}.{part}" if named else part
        if last:
            node[part] = value
            return named
        child = node.get(part)
        if child is None:
            child = node[part] = {}
        elif isinstance(child, str) and part == "openness":
            child = node[part] = {"preset": child}
        elif not isinstance(child, dict | list):
            raise KeyError(
                f"{'.'.join(parts[: depth + 1])} is a value ({shown(child)}), not a table"
            )
        node = child
    return named


def _list_index(items: list, part: str, where: str) -> int:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == part:
            return index
    if part.isdigit() and int(part) < len(items):
        return int(part)
    ids = [
        item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)
    ]
    raise KeyError(f"no item with id '{part}' in {where}{did_you_mean(part, ids)}")


def with_overrides(data: dict, assignments) -> dict:
    """A copy of raw scenario data with ``(dotted path, value)`` assignments applied.

    Raises:
        KeyError: with a message, when a path cannot be followed.
    """
    result = deepcopy(data)
    for path, value in assignments:
        set_path(result, path.split("."), deepcopy(value))
    return result


def resolved(raw: dict, path: str) -> tuple:
    """A dotted path with list items by position, as :func:`set_path` would resolve them."""
    node: Any = raw
    key: list = []
    for part in path.split("."):
        if isinstance(node, list):
            index = next(
                (
                    i
                    for i, item in enumerate(node)
                    if isinstance(item, dict) and item.get("id") == part
                ),
                int(part) if part.isdigit() and int(part) < len(node) else None,
            )
            key.append(part if index is None else index)
            node = None if index is None else node[index]
        else:
            key.append(part)
            node = node.get(part) if isinstance(node, dict) else None
    return tuple(key)


def overlaps(raw: dict, paths: list[str]) -> list[tuple[str, str, bool]]:
    """Pairs of paths of which one would overwrite the other (the same key, or one inside).

    Returns:
        ``(path, earlier path, whether the key is the same)`` per pair; list items match by id
        and by index alike.
    """
    keys = [resolved(raw, p) for p in paths]
    found = []
    for i, path in enumerate(paths):
        for j in range(i):
            shorter, longer = sorted((keys[i], keys[j]), key=len)
            if longer[: len(shorter)] == shorter:
                found.append((path, paths[j], keys[i] == keys[j]))
    return found
