"""User-facing errors: each carries one line per problem, naming the file and the field."""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

#: The largest TOML file read (a scenario or an experiment), in bytes: 32 MiB holds a synthetic
#: scenario of some 80,000 delegations.
MAX_TOML_BYTES = 32 * 1024**2
#: The largest data table read (a CSV actor table, an imported data file), in bytes.
MAX_TABLE_BYTES = 64 * 1024**2
#: The deepest nesting of tables and arrays (each part of a dotted key a level) in a TOML file or
#: a ``--set``. A scenario needs four; the limit keeps parsing linear and recursion shallow.
MAX_DEPTH = 32

_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape(text: str) -> str:
    """``text`` safe on one line: newlines, other control and invisible characters escaped.

    A problem line must stay one line: a newline in a key, an id or a path would otherwise split
    it and could forge an ``error:`` line.
    """
    return _CONTROL.sub(lambda m: _NAMED.get(m.group()) or _code(m.group()), text)


def _code(char: str) -> str:
    point = ord(char)
    return f"\\x{point:02x}" if point < 0x100 else f"\\u{point:04x}"


def shown(value: object, most: int = 40) -> str:
    """A short quotation of a user's value: its repr, cut after ``most`` characters."""
    text = str(value)
    return repr(text) if len(text) <= most else repr(text[:most]) + "…"


def did_you_mean(key: object, candidates) -> str:
    """``"; did you mean 'rounds'?"`` naming the candidate nearest ``key``, or nothing.

    Near means similar spelling, ignoring case (``capabilty``, ``nort``, ``a`` for ``A``), or,
    failing that, a candidate with the key as one of its words (``rules`` → ``decision_rule``).
    """
    import difflib

    names = {str(c).lower(): str(c) for c in candidates}
    word = str(key).lower()
    close = difflib.get_close_matches(word, list(names), n=1, cutoff=0.6)
    if not close and len(word.rstrip("s")) >= 3:
        close = [name for name in names if word.rstrip("s") in name.split("_")][:1]
    if not close or names[close[0]] == str(key):
        return ""
    return f"; did you mean {names[close[0]]!r}?"


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
        return ": ".join(escape(str(part)) for part in [*parts, self.message])


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


class Unreadable(Exception):
    """A path that cannot be read as an input file.

    Attributes:
        reason: why, in plain words (``"permission denied"``).
        missing: whether there is simply no such file.
    """

    def __init__(self, reason: str, missing: bool = False):
        self.reason = reason
        self.missing = missing
        super().__init__(reason)


def read_bytes(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Devices, pipes and sockets are refused before they are opened for reading, so ``/dev/zero``
    cannot fill memory and a FIFO cannot hang; files that say they are small but grow (``/proc``)
    are read no further than the limit.

    Raises:
        Unreadable: with the reason in plain words.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise Unreadable("is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise Unreadable("not a regular file (a device, a pipe or a socket)")
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except ValueError:
        raise Unreadable("the path contains a NUL character") from None
    except OSError as err:
        raise Unreadable(*_reason(err)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # replaced since the check above
            raise Unreadable("not a regular file (a device, a pipe or a socket)")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as err:
        raise Unreadable(*_reason(err)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise Unreadable(f"larger than {_size(limit)}, the most treatysim reads")
    return b"".join(chunks)


def _size(n: int) -> str:
    return f"{n / 1024**2:g} MiB" if n >= 1024**2 else f"{n} bytes"


def _reason(err: OSError) -> tuple[str, bool]:
    reasons = {
        errno.ENOENT: "no such file",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
        errno.ENAMETOOLONG: "file name too long",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "is a folder, not a file",
    }
    reason = reasons.get(err.errno) or (err.strerror or str(err)).lower()
    return reason, err.errno == errno.ENOENT


def csv_message(err: Exception) -> str:
    """What is wrong with a CSV file, from the ``csv.Error`` reading it, quoting none of it."""
    import csv

    if "field larger than field limit" in str(err):
        return f"a cell is longer than {csv.field_size_limit()} characters"
    return f"not a valid CSV table: {err}"


def read_toml(path, where: str | None = None) -> dict:
    """Read a TOML file; any problem reading or parsing it is an :class:`InputError`.

    Only regular files of at most :data:`MAX_TOML_BYTES` are read; a UTF-8 byte-order mark is
    allowed; nesting deeper than :data:`MAX_DEPTH` is refused before the text is parsed.
    """
    where = where or str(path)
    try:
        data = read_bytes(path, MAX_TOML_BYTES)
    except Unreadable as err:
        message = "no such file" if err.missing else f"cannot read: {err.reason}"
        raise InputError.single(where, "", message) from None
    return parse_toml(decode(data, where), where)


def decode(data: bytes, where: str) -> str:
    """UTF-8 text, a byte-order mark dropped; anything else is an :class:`InputError`."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError.single(
            where, "", f"not UTF-8 text: {err.reason} at byte {err.start}"
        ) from None


def parse_toml(text: str, where: str, field: str = "") -> dict:
    """Parse TOML text whose nesting is first checked to be at most :data:`MAX_DEPTH`.

    Raises:
        InputError: naming ``where`` (and ``field``) for invalid or too deeply nested TOML.
    """
    import tomllib

    line = too_deep(text)
    if line is not None:
        raise InputError.single(
            where, field, f"nested deeper than {MAX_DEPTH} levels (line {line})"
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise InputError.single(where, field, f"invalid TOML: {err}") from None
    except RecursionError:  # not expected after the check above; never a traceback
        raise InputError.single(where, field, f"nested deeper than {MAX_DEPTH} levels") from None
    if nesting(data) > MAX_DEPTH:
        raise InputError.single(where, field, f"nested deeper than {MAX_DEPTH} levels")
    return data


def nesting(value: object) -> int:
    """Levels of tables and arrays in parsed data (a scalar is 0), counted up to one past the limit."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list | tuple):
            children = node
        else:
            continue
        deepest = max(deepest, level + 1)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, level + 1) for child in children)
    return deepest


_STRUCTURE = re.compile(r"[\"'#\[\]{}.=,\n]")
_STRING_END = {
    '"': re.compile(r'\\.|"|\n', re.S),
    "'": re.compile(r"'|\n"),
    '"""': re.compile(r'\\.|"""', re.S),
    "'''": re.compile(r"'''"),
}


def too_deep(text: str) -> int | None:
    """The line at which TOML text nests deeper than :data:`MAX_DEPTH`, or None.

    A linear scan that skips strings and comments and counts open brackets and braces, and the
    dots of each key: tomllib's time and memory grow with the square of a dotted key's length and
    its recursion with the nesting of arrays and inline tables, so both are bounded before it runs.
    """
    level = dots = 0
    line = 1
    position = 0
    while (match := _STRUCTURE.search(text, position)) is not None:
        token, position = match.group(), match.end()
        if token in "\"'":
            start = match.start()
            quote = token * 3 if text.startswith(token * 3, start) else token
            end = _STRING_END[quote].search(text, start + len(quote))
            while end is not None and end.group().startswith("\\"):
                end = _STRING_END[quote].search(text, end.end())
            stop = len(text) if end is None else end.end()
            if len(quote) == 3 and end is not None:  # up to two quotes may end the text
                while stop < len(text) and text[stop] == token and stop - end.end() < 2:
                    stop += 1
            elif end is not None and end.group() == "\n":
                stop -= 1  # an unterminated string ends with its line
            line += text.count("\n", start, stop)
            position = stop
        elif token == "#":
            newline = text.find("\n", position)
            position = len(text) if newline < 0 else newline
        elif token == ".":
            dots += 1
            if dots >= MAX_DEPTH:
                return line
        elif token in "[{":
            level += 1
            dots = 0
            if level > MAX_DEPTH:
                return line
        else:
            dots = 0
            if token in "]}":
                level = max(level - 1, 0)
            elif token == "\n":
                line += 1
    return None
