"""Rewrite the golden run summaries that tests/test_scenarios.py compares against.

Run this only when a change to the model or a scenario is meant to change results, and say so
in the commit message:

    python scripts/regenerate_golden.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import load_scenario, run_conference

GOLDEN = ROOT / "tests" / "golden"
SEED = 1


def shipped_scenarios() -> dict[str, Path]:
    """Every scenario shipped in scenarios/, by name: files, and folders holding scenario.toml."""
    found = {path.stem: path for path in sorted((ROOT / "scenarios").glob("*.toml"))}
    found.update(
        {path.parent.name: path for path in sorted((ROOT / "scenarios").glob("*/scenario.toml"))}
    )
    return found


def summary(path: Path) -> dict:
    """The ``treatysim run PATH --seed 1 --json`` object."""
    return run_conference(load_scenario(path), SEED).to_dict()


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for name, path in shipped_scenarios().items():
        target = GOLDEN / f"{name}.json"
        target.write_text(json.dumps(summary(path), indent=2) + "\n")
        print(f"wrote {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
