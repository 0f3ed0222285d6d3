"""Start-up time of the command line: `treatysim --help` and one small `treatysim run`.

Each command runs in a fresh process, as a user would start it, several times; the median wall
time is reported beside the time of `import mesa` alone, which a run cannot avoid. Target: under
0.5 s for each.

    python benchmarks/bench_startup.py            # report
    python benchmarks/bench_startup.py --check    # also exit 1 if `--help` misses the target
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
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
    MESA: [sys.executable, "-c", "import mesa"],
}


def timed(command: list[str], repeats: int) -> float:
    """Median wall time of ``repeats`` fresh runs of ``command``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--check", action="store_true", help="exit 1 if --help misses the target")
    args = parser.parse_args()
    results = {name: timed(command, args.repeats) for name, command in CASES.items()}
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
