"""Sweep throughput with 1 and 2 workers, and peak memory of sweeps of 10,000 and 100,000 runs.

Throughput: the synthetic 150 × 9 × 60 conference (20 rounds), `treatysim sweep` of 6,000 runs
with `--workers 1` (in process) and `--workers 2` (a process pool, its start-up included), best
of two each; the target is that 2 workers reach at least 1.6 × the runs/s of 1. Memory: the classroom scenario swept to 10,000 and
100,000 runs on 2 workers; the peak resident memory of the sweeping process and of its largest
worker should not grow with the number of runs.

    python benchmarks/bench_sweep.py                 # throughput and memory (a few minutes)
    python benchmarks/bench_sweep.py --skip-memory   # throughput only
    python benchmarks/bench_sweep.py --check         # exit 1 if the speed-up target is missed
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.synth import synthetic_scenario, to_toml

TARGET_SPEEDUP = 1.6

CHILD = """
import json, resource, sys, time
from typer.testing import CliRunner
from cli import app
experiment, out, workers = sys.argv[1:]
start = time.perf_counter()
result = CliRunner().invoke(app, ["sweep", experiment, "--out", out, "--workers", workers, "--no-progress"])
elapsed = time.perf_counter() - start
assert result.exit_code == 0, result.stderr
print(json.dumps({
    "seconds": elapsed,
    "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "largest_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def run_sweep(experiment: Path, out: Path, workers: int) -> dict:
    """Run a sweep in a fresh Python process; its time and peak memory (ru_maxrss)."""
    command = [sys.executable, "-c", CHILD, str(experiment), str(out), str(workers)]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def experiment_file(folder: Path, scenario: Path, replicates: int, name: str) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'scenario = "{scenario}"\nreplicates = {replicates}\nmaster_seed = 1\n')
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=6000, help="runs per throughput measurement")
    parser.add_argument(
        "--repeats", type=int, default=2, help="measurements per worker count; the best is kept"
    )
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        synthetic = tmp / "synthetic.toml"
        synthetic.write_text(to_toml(synthetic_scenario(150, 9, 60, 6, seed=1, rounds=20)))
        experiment = experiment_file(tmp, synthetic, args.runs, "throughput")
        rates = {}
        for workers in (1, 2):
            seconds = min(
                run_sweep(experiment, tmp / f"out{workers}-{repeat}", workers)["seconds"]
                for repeat in range(args.repeats)
            )
            rates[workers] = args.runs / seconds
            print(
                f"synthetic 150x9x60, {args.runs} runs, {workers} worker(s): {rates[workers]:6.0f} runs/s"
                f" ({seconds:.1f} s, best of {args.repeats}, pool start-up included)"
            )
        speedup = rates[2] / rates[1]
        verdict = "meets" if speedup >= TARGET_SPEEDUP else "MISSES"
        print(f"speed-up with 2 workers: {speedup:.2f}x — {verdict} the {TARGET_SPEEDUP}x target")
        if not args.skip_memory:
            classroom = ROOT / "scenarios" / "classroom_small.toml"
            for runs in (10_000, 100_000):
                experiment = experiment_file(tmp, classroom, runs, f"memory{runs}")
                result = run_sweep(experiment, tmp / f"mem{runs}", 2)
                print(
                    f"classroom, {runs:>7,} runs, 2 workers: peak RSS {result['parent_mb']:.0f} MB (sweeping process),"
                    f" {result['largest_worker_mb']:.0f} MB (largest worker); {runs / result['seconds']:.0f} runs/s"
                )
    return 1 if args.check and speedup < TARGET_SPEEDUP else 0


if __name__ == "__main__":
    sys.exit(main())
