"""Make the README's gallery: every figure kind from the shipped scenarios and experiments.

    python scripts/gallery.py            # writes docs/gallery/*.png (small PNGs, committed)

Runs WCIT-12 (seed 1), compares it with the open design (scenarios/wcit2012_open's openness) on
100 paired seeds, sweeps experiments/openness_sweep.toml, and draws each figure kind from those
folders through `treatysim plot`, exactly as a user would.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "gallery"
DPI = "80"


def treatysim(*args: str) -> None:
    """Run a treatysim command as a user would, failing loudly."""
    subprocess.run(
        [sys.executable, "-m", "cli", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        run, comparison, sweep = (str(Path(tmp) / name) for name in ("run", "cmp", "sweep"))
        treatysim("run", "scenarios/wcit2012", "--seed", "1", "--out", run)
        treatysim(
            "compare",
            "scenarios/wcit2012",
            "--a-name",
            "ITU 2012",
            "--b-name",
            "open",
            "--b",
            "process.openness=multistakeholder",
            "--replicates",
            "100",
            "--out",
            comparison,
        )
        treatysim("sweep", "experiments/openness_sweep.toml", "--out", sweep, "--no-progress")
        figures = [
            (run, "trajectory", []),
            (run, "signatures", []),
            (run, "why", ["--delegation", "USA"]),
            (run, "power", []),
            (
                sweep,
                "response",
                ["--x", "process.openness.transparency", "--by", "process.decision_rule"],
            ),
            (
                sweep,
                "map",
                ["--x", "process.openness.access", "--by", "process.openness.transparency"],
            ),
            (comparison, "forest", []),
            (comparison, "texts", []),
            (comparison, "changes", []),
        ]
        for source, kind, options in figures:
            treatysim(
                "plot",
                source,
                "--kind",
                kind,
                "--out",
                str(OUT / f"{kind}.png"),
                "--dpi",
                DPI,
                *options,
            )


if __name__ == "__main__":
    main()
