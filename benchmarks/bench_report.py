"""Time to build the HTML report of a 600-run sweep on one core (target: under 15 s).

The sweep — WCIT-12 over access (5 levels) × transparency (3) × decision rule (2), 20 seeded
replicates each — is run once into a temporary folder, outside the timing. The timing covers
what `treatysim report` does: reading the store, estimating every factor's effects with
bootstrap intervals, drawing the figures and writing the page. The process is pinned to one core.

    python benchmarks/bench_report.py            # report
    python benchmarks/bench_report.py --check    # also exit 1 if the target is missed
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.figures.sources import load_source
from sim.report.build import build

TARGET_SECONDS = 15.0
EXPERIMENT = f"""
name = "Report benchmark: openness and rule on WCIT-12"
scenario = "{ROOT / "scenarios" / "wcit2012"}"
replicates = 20
master_seed = 12
[factors]
"process.openness.access" = [0.0, 0.25, 0.5, 0.75, 1.0]
"process.openness.transparency" = [0.0, 0.5, 1.0]
"process.decision_rule" = ["consensus", "majority"]
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    with tempfile.TemporaryDirectory() as tmp:
        experiment = Path(tmp) / "experiment.toml"
        experiment.write_text(EXPERIMENT)
        folder = Path(tmp) / "sweep"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cli",
                "sweep",
                str(experiment),
                "--out",
                str(folder),
                "--workers",
                "1",
                "--no-progress",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        start = time.perf_counter()
        source = load_source(folder)
        html = build(source)
        (Path(tmp) / "report.html").write_text(html, encoding="utf-8")
        seconds = time.perf_counter() - start
    runs = len(source.runs)
    met = seconds < TARGET_SECONDS
    print(f"report of a {runs}-run sweep: {seconds:.2f} s on one core ({len(html) // 1024} KB)")
    print(f"target: under {TARGET_SECONDS:.0f} s — {'meets' if met else 'MISSES'}")
    if args.check and not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
