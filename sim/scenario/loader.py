"""Reading scenarios: TOML files and their ``extends`` chains, overrides, validation.

``load_scenario(path, overrides)`` reads the TOML (a folder means its ``scenario.toml``), appends
the rows of any ``delegations_csv`` / ``stakeholders_csv`` tables (:mod:`sim.scenario.tables`),
applies ``--set`` overrides to the raw data, and validates the result. Every problem becomes one
line naming the file (and CSV line) and the field (:mod:`sim.scenario.problems`), collected in an
:class:`~sim.errors.InputError`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from sim import errors
from sim.errors import (
    InputError,
    Unreadable,
    decode,
    parse_toml,
    read_bytes,
)
from sim.scenario.overrides import apply_overrides
from sim.scenario.problems import size_problems, validation_problems
from sim.scenario.schema import Scenario
from sim.scenario.tables import append_csv_tables

#: The longest chain of scenarios extending one another.
MAX_EXTENDS = 32


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
    append_csv_tables(own, file)
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


# --- validation ---------------------------------------------------------------------------------


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
