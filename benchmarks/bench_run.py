"""Speed of one run, in process: the ≤ 5 ms target of a 150 × 9 × 60 conference over 20 rounds.

Scenario parsing and validation happen once, outside the timing; model construction, every
round, the signing stage and the outcome's metrics are inside it. The process is pinned to one
core and BLAS to one thread, so the figure is a single-core figure.

    python benchmarks/bench_run.py            # report
    python benchmarks/bench_run.py --check    # also exit 1 if the target is missed
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import load_scenario, run_conference
from sim.loader import validate
from sim.synth import synthetic_scenario

TARGET_MS = 5.0


def measure(scenario, runs: int, warmup: int = 20) -> dict:
    """Median and spread of the wall time of ``run_conference`` over ``runs`` seeds."""
    for seed in range(warmup):
        run_conference(scenario, seed)
    times = []
    rounds = []
    for seed in range(runs):
        start = time.perf_counter()
        outcome = run_conference(scenario, seed)
        times.append(time.perf_counter() - start)
        rounds.append(outcome.metrics["rounds_used"])
    median = statistics.median(times)
    return {
        "median_ms": median * 1e3,
        "p90_ms": float(np.percentile(times, 90)) * 1e3,
        "runs_per_s": 1.0 / median,
        "mean_rounds": statistics.mean(rounds),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--check", action="store_true", help="exit 1 if the target is missed")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    print(
        f"python {platform.python_version()}, numpy {np.__version__}, {platform.machine()}, one core"
    )
    cases = {
        "synthetic 150x9x60, 20 rounds": validate(
            synthetic_scenario(150, 9, 60, 6, seed=1, rounds=20), "synthetic"
        ),
        "classroom_small": load_scenario(ROOT / "scenarios" / "classroom_small.toml"),
    }
    results = {}
    for name, scenario in cases.items():
        r = measure(scenario, args.runs)
        results[name] = r
        print(
            f"{name:32s} {r['median_ms']:6.2f} ms/run median (p90 {r['p90_ms']:.2f})"
            f"  {r['runs_per_s']:7.0f} runs/s  ({r['mean_rounds']:.1f} rounds used on average)"
        )
    headline = results["synthetic 150x9x60, 20 rounds"]["median_ms"]
    verdict = "meets" if headline <= TARGET_MS else "MISSES"
    print(
        f"target: ≤ {TARGET_MS:.0f} ms/run on the synthetic conference — {verdict} ({headline:.2f} ms)"
    )
    return 1 if args.check and headline > TARGET_MS else 0


if __name__ == "__main__":
    sys.exit(main())
