"""Provenance of an output folder: versions, commit, command line, inputs."""

from __future__ import annotations

import hashlib
import platform
import subprocess
import sys
from datetime import UTC, datetime
from functools import cache
from importlib import metadata
from pathlib import Path

_PACKAGES = ("treatysim", "mesa", "numpy", "pandas", "pydantic", "typer")


def versions() -> dict[str, str | None]:
    """Python and the versions of the packages a run depends on."""
    found: dict[str, str | None] = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def git_commit() -> dict[str, str | bool | None]:
    """The commit of the treatysim source tree, and whether it has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": bool(status.strip())}


@cache
def source_digest() -> str:
    """SHA-256 of the model's source: every ``.py`` file of the ``sim`` package, by relative path.

    Two installations that give this digest run the same model code, whether or not they come
    from a git checkout and whatever their commit; a change to the command line, the docs or the
    tests leaves it alone.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


def code_identity() -> dict[str, str | bool | None]:
    """What model code this process runs: version, source digest, and the commit when known."""
    try:
        version = metadata.version("treatysim")
    except metadata.PackageNotFoundError:
        version = None
    git = git_commit()
    return {
        "treatysim": version,
        "source": source_digest(),
        "commit": git["commit"],
        "dirty": git["dirty"],
    }


def describe_code(identity: dict) -> str:
    """``treatysim 0.1.0 (commit 1a2b3c4, source 5d6e7f8a)`` — a code identity in one phrase."""
    parts = []
    if identity.get("commit"):
        dirty = " with uncommitted changes" if identity.get("dirty") else ""
        parts.append(f"commit {str(identity['commit'])[:7]}{dirty}")
    if identity.get("source"):
        parts.append(f"source {str(identity['source'])[:8]}")
    version = identity.get("treatysim") or "unknown version"
    return f"treatysim {version}" + (f" ({', '.join(parts)})" if parts else "")


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def manifest(**fields) -> dict:
    """A manifest: the given fields plus time, versions, commit and command line."""
    return {
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]),
        **fields,
        "versions": versions(),
        "git": git_commit(),
    }
