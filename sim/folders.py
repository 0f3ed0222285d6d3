"""Where a command may write: never over an input, a results store or another command's files.

Every command that writes a folder (``run``, ``classroom``, ``compare``, ``score``, ``analyze``,
``handouts``) claims it first. A folder is accepted when it does not exist, is empty, or holds only the files
this kind of output writes — the same command's earlier output, which is then replaced. Anything
else is refused with the reason: a sweep's results store, a folder another command wrote (its
``manifest.json`` says which), or files the command would not write (a scenario, data, notes).
A command that writes one file (``plot``, ``report``, ``debrief``) claims it with
:func:`claim_file`: it replaces only a file that carries treatysim's mark.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sim.errors import InputError

#: What each kind of folder is called in messages, by the manifest's ``kind``.
KINDS = {
    "run": "a run's results",
    "classroom": "a classroom session",
    "sweep": "a sweep's results",
    "comparison": "a comparison",
    "analysis": "an analysis",
    "score": "a score",
    "handouts": "a class's handouts",
}

#: How much of an existing file's start and end is read for treatysim's mark.
MARK_WINDOW = 64 * 1024


def claim(
    out: Path, kind: str, ours: Collection[str] | Callable[[str], bool], option: str = "--out"
) -> None:
    """Refuse ``out`` unless the command of ``kind`` may write there.

    Args:
        out: the folder.
        kind: the kind of output (a key of :data:`KINDS`).
        ours: the file names this output writes, or a test of a name.
        option: the option that named the folder, for messages.

    Raises:
        InputError: naming the folder and why it is refused.
    """
    check_parents(out, option)
    if not out.exists():
        return
    if not out.is_dir():
        raise InputError.single(str(out), option, "exists and is not a folder")
    mine = ours if callable(ours) else set(ours).__contains__
    present = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    if not present:
        return
    if (out / "results.sqlite").exists() and kind != "sweep":
        raise InputError.single(
            str(out), option, "holds a sweep's results store; write elsewhere (a new folder)"
        )
    written = _kind(out / "manifest.json")
    if written is not None and written != kind:
        what = KINDS.get(written, "a manifest.json treatysim did not write")
        raise InputError.single(
            str(out), option, f"holds {what}; write {KINDS.get(kind, kind)} to another folder"
        )
    stray = [name for name in present if not mine(name)]
    if stray:
        shown = ", ".join(stray[:3]) + (f" and {len(stray) - 3} more" if len(stray) > 3 else "")
        raise InputError.single(
            str(out),
            option,
            f"holds files this command does not write ({shown}), which it would mix with or "
            "replace; choose an empty or new folder",
        )


def claim_file(path: Path, marked: Callable[[bytes], bool], option: str = "--out") -> None:
    """Refuse a file name unless writing there replaces nothing but treatysim's own earlier file.

    A figure or a page that treatysim wrote carries its mark (see
    :func:`sim.figures.style.marked` and :func:`sim.report.build.marked`); any other file
    already there is someone's photo or notes, and is refused rather than replaced.

    Args:
        path: the file to write.
        marked: tests the start and end of an existing file (its first and last
            :data:`MARK_WINDOW` bytes; all of it when it is small) for the mark.
        option: the option that named the file, for messages.

    Raises:
        InputError: naming the file and why it is refused.
    """
    check_parents(path, option)
    try:
        if path.name in ("", ".", "..") or path.is_dir():
            raise InputError.single(str(path), option, "is a folder; give a file name")
        if not path.exists() and not path.is_symlink():
            return
        ours = path.is_file() and marked(_ends(path))
    except (OSError, ValueError):
        return  # writing says why
    if not ours:
        raise InputError.single(
            str(path),
            option,
            "exists and treatysim did not write it; remove it or choose another name",
        )


def _ends(path: Path) -> bytes:
    """A file's first and last :data:`MARK_WINDOW` bytes (all of a small file)."""
    with path.open("rb") as handle:
        head = handle.read(MARK_WINDOW)
        size = handle.seek(0, 2)
        if size <= 2 * MARK_WINDOW:
            handle.seek(len(head))
            return head + handle.read()
        handle.seek(size - MARK_WINDOW)
        return head + handle.read(MARK_WINDOW)


@contextmanager
def staged(out: Path, first: Sequence[str] = ()) -> Iterator[Path]:
    """A staging folder beside ``out``; when the block ends well its files move into ``out``.

    So a folder of outputs is written all or nothing: a failure or a kill while files are
    written leaves ``out`` as it was. The files move in the order ``first`` gives, then by name.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        yield staging
        rest = sorted(name for name in os.listdir(staging) if name not in first)
        out.mkdir(exist_ok=True)
        for name in [*first, *rest]:
            os.replace(staging / name, out / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_parents(path: Path, option: str = "--out") -> None:
    """Refuse a path under a file: ``notes.txt/out`` can be neither created nor written.

    Raises:
        InputError: naming the path and the file in the way.
    """
    for parent in Path(path).parents:
        try:
            if parent.exists() and not parent.is_dir():
                raise InputError.single(str(path), option, f"{parent} is a file, not a folder")
            if parent.is_dir():
                return
        except (OSError, ValueError):
            return  # writing says why


def _kind(manifest: Path) -> str | None:
    """The ``kind`` a folder's manifest records, or None when there is none to read."""
    if not manifest.is_file():
        return None
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "?"
    kind = record.get("kind") if isinstance(record, dict) else None
    return kind if isinstance(kind, str) else "?"
