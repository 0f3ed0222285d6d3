"""Memory and time per run as a conference grows: 150, 1,000 and 10,000 delegations.

Each size is a synthetic scenario (9 provisions, one stakeholder per ten delegations, 12 blocs,
20 rounds) built and run in a fresh process; reported are the time to validate and compile
the scenario, the time of one run, and the peak resident memory of the process above that of
an idle interpreter with the same imports. Memory must grow linearly with the number of
delegations (no N × N matrix): the check is that 10,000 delegations use less than 20 times
the memory increment of 1,000 (a quadratic model would need about 100 times).

    python benchmarks/bench_scale.py            # report
    python benchmarks/bench_scale.py --check    # also exit 1 if memory grows faster than linearly
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (150, 1_000, 10_000)

CHILD = """
import json, resource, sys, time
from sim.scenario.loader import validate
from sim.run import run_conference
from sim.scenario.synth import synthetic_scenario
n = int(sys.argv[1])
raw = synthetic_scenario(n, 9, max(1, n // 10), 12, seed=1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if n == 0:
    print(json.dumps({"baseline_mb": before / 1024}))
    raise SystemExit
start = time.perf_counter()
scenario = validate(raw, "synthetic", {})
built = time.perf_counter() - start
start = time.perf_counter()
outcome = run_conference(scenario, 1)
ran = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"build_s": built, "run_s": ran, "peak_mb": peak / 1024,
                  "increment_mb": (peak - before) / 1024, "signed": outcome.metrics["signed"]}))
"""


def measure(n: int) -> dict:
    """One size in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(n)], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 on super-linear memory")
    args = parser.parse_args()
    results = {}
    print(
        f"{'delegations':>11}  {'build (s)':>9}  {'run (s)':>8}  {'peak (MB)':>9}  {'run memory (MB)':>15}"
    )
    for n in SIZES:
        r = measure(n)
        results[n] = r
        print(
            f"{n:>11,}  {r['build_s']:>9.3f}  {r['run_s']:>8.3f}  {r['peak_mb']:>9.0f}  "
            f"{r['increment_mb']:>15.1f}"
        )
    small, large = results[1_000]["increment_mb"], results[10_000]["increment_mb"]
    ratio = large / max(small, 1.0)
    print(f"memory for 10,000 delegations / for 1,000: {ratio:.1f} (linear: about 10)")
    if args.check and ratio >= 20:
        print("memory grows faster than linearly with delegations", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
