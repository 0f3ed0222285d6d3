"""User-facing errors: each carries one line per problem, naming the file and the field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's input.

    Attributes:
        where: the file (and line, for tables) the problem is in; empty when not from a file.
        field: dotted path of the offending field, e.g. ``delegations[USA].positions.scope``.
        message: what is wrong, in plain words.
    """

    where: str
    field: str
    message: str

    def __str__(self) -> str:
        parts = [part for part in (self.where, self.field) if part]
        return ": ".join([*parts, self.message])


class InputError(Exception):
    """Raised for any problem in a user's input (scenario, override, experiment, data file).

    The command line prints each problem on its own line and exits with code 2.
    """

    def __init__(self, problems: list[Problem]):
        if not problems:
            raise ValueError("InputError needs at least one problem")
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, where: str, field: str, message: str) -> InputError:
        """Build an error holding one problem."""
        return cls([Problem(where, field, message)])


class CrossFieldProblems(ValueError):
    """Raised inside a pydantic validator to report several problems with their own paths.

    Pydantic wraps it in a ``ValidationError``; the loader unwraps ``problems`` so that every
    problem is reported on its own line with its own field path.
    """

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {msg}" for path, msg in problems))


def read_toml(path, where: str | None = None) -> dict:
    """Read a TOML file; any problem reading or parsing it is an :class:`InputError`."""
    import tomllib
    from pathlib import Path

    where = where or str(path)
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError.single(where, "", "no such file") from None
    except tomllib.TOMLDecodeError as err:
        raise InputError.single(where, "", f"invalid TOML: {err}") from None
    except UnicodeDecodeError as err:
        raise InputError.single(
            where, "", f"not UTF-8 text: {err.reason} at byte {err.start}"
        ) from None
    except OSError as err:
        raise InputError.single(where, "", f"cannot read: {err.strerror or err}") from None
