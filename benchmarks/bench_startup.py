"""Start-up time of the command line: `treatysim --help`, one small `treatysim run` and a sweep.

Each command runs in a fresh process, as a user would start it, several times; the median wall
time is reported beside the time of `import mesa` alone, which a run cannot avoid (Mesa 3.3
imports pandas, SciPy's spatial module and its batch runner with the package). Target: under
0.5 s for each; `--check` holds `--help` to it, since a run's floor is Mesa's import. The sweep is
three WCIT-12 runs: its start-up (loading and checking the experiment, the store, the manifest)
without the work.

    python benchmarks/bench_startup.py            # report
    python benchmarks/bench_startup.py --check    # also exit 1 if `--help` misses the target
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 0.5
MESA = "python -c 'import mesa'"
CASES = {
    "treatysim --help": [sys.executable, "-m", "cli", "--help"],
    "treatysim run classroom_small": [
        sys.executable,
        "-m",
        "cli",
        "run",
        str(ROOT / "scenarios" / "classroom_small.toml"),
    ],
    "treatysim sweep (3 runs)": [
        sys.executable,
        "-m",
        "cli",
        "sweep",
        "{experiment}",
        "--out",
        "{out}",
        "--no-progress",
    ],
    MESA: [sys.executable, "-c", "import mesa"],
}
SWEEP = f"""
scenario = "{ROOT / "scenarios" / "wcit2012"}"
replicates = 1
[factors]
"process.decision_rule" = ["consensus", "qualified_majority", "majority"]
"""


def timed(command: list[str], repeats: int, folder: Path) -> float:
    """Median wall time of ``repeats`` fresh runs of ``command`` (a sweep into a new folder)."""
    experiment = folder / "three.toml"
    experiment.write_text(SWEEP)
    times = []
    for repeat in range(repeats):
        out = folder / f"out{repeat}"
        filled = [c.format(experiment=experiment, out=out) for c in command]
        start = time.perf_counter()
        subprocess.run(filled, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 if --help misses the target")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        results = {
            name: timed(command, args.repeats, Path(folder)) for name, command in CASES.items()
        }
    for name, seconds in results.items():
        print(f"{name:<34}{seconds:6.2f} s median of {args.repeats}")
    help_ok = results["treatysim --help"] < TARGET
    print(
        f"target under {TARGET} s: --help {'meets' if help_ok else 'MISSES'}; run "
        f"{'meets' if results['treatysim run classroom_small'] < TARGET else 'misses'} "
        f"(importing Mesa alone takes {results[MESA]:.2f} s)"
    )
    if args.check and not help_ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
