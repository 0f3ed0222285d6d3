"""Sweep throughput with 1 worker, 2 workers and the default, and peak memory of long sweeps.

Each `treatysim sweep` runs in a fresh process, as a user would start it, best of `--repeats`
(interleaved). Two rates are kept: the whole command's (interpreter, imports, the experiment's
checks, the pool and the store), and the one the sweep reports ("stored N runs in S s"), which
counts from before the pool starts to after it stops — everything that depends on the workers.

- WCIT-12 under three decision rules × 1,000 replicates (3,000 runs) with `--workers 1` (in
  process), `--workers 2` (a local pool) and no `--workers` (the default's choice). Target: 2
  workers reach at least 1.8 × the sweep rate of 1. The whole command's speed-up is printed
  too: about 0.9 s of it (starting Python, importing Mesa) is the same for every choice.
- The shipped experiments/openness_sweep.toml (900 runs, every delegation's decision stored)
  under the default and `--workers 1`.
- A 60-run WCIT-12 sweep, too short for a pool to pay off.

Target for the default: at least 0.9 × the whole-command rate of the fastest explicit choice
on each sweep. The same choice measured twice differs by up to ~6 % on a quiet 2-core machine; a
wrong choice costs 30-45 % on the first two sweeps.

Memory: the classroom scenario swept to 10,000 and 100,000 runs on 2 workers; the peak resident
memory of the sweeping process and of its largest worker should not grow with the runs.

Other sessions' work disturbs timings on a shared machine: each measurement waits (up to
`--wait` seconds) for both cores to be idle, and prints the CPU seconds other processes used
while it ran (Linux), so a disturbed measurement can be told apart.

    python benchmarks/bench_sweep.py                 # throughput and memory (a few minutes)
    python benchmarks/bench_sweep.py --skip-memory   # throughput only (about 2 minutes)
    python benchmarks/bench_sweep.py --check         # exit 1 if a target is missed
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

TARGET_SPEEDUP = 1.8
DEFAULT_SHARE = 0.9  # the default's runs/s over the fastest explicit choice's, at least

RULES = """
scenario = "{scenario}"
replicates = {replicates}
master_seed = 3
[factors]
"process.decision_rule" = ["consensus", "qualified_majority", "majority"]
"""

MEMORY_CHILD = """
import json, resource, sys
from typer.testing import CliRunner
from cli import app
experiment, out, workers = sys.argv[1:]
result = CliRunner().invoke(app, ["sweep", experiment, "--out", out, "--workers", workers, "--no-progress"])
assert result.exit_code == 0, result.stderr
print(json.dumps({
    "parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "largest_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
}))
"""


def busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy (Linux), or None."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return None
    ticks = [int(f) for f in fields]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")


def wait_for_quiet(limit: float) -> None:
    """Wait until the machine is 95 % idle over a second, for at most ``limit`` seconds."""
    deadline = time.monotonic() + limit
    cores = os.cpu_count() or 1
    while time.monotonic() < deadline:
        before = busy_seconds()
        time.sleep(1.0)
        after = busy_seconds()
        if before is None or after is None or after - before <= 0.05 * cores:
            return


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sweep(experiment: Path, out: Path, workers: int | None) -> dict:
    """One `treatysim sweep` in a fresh process: wall seconds, its own rate, others' CPU use."""
    shutil.rmtree(out, ignore_errors=True)
    command = [sys.executable, "-m", "cli", "sweep", str(experiment), "--out", str(out)]
    command += ["--no-progress"] + ([] if workers is None else ["--workers", str(workers)])
    busy, mine = busy_seconds(), children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(done.stderr)
    after = busy_seconds()
    others = None if busy is None or after is None else after - busy - (children_cpu() - mine)
    plan = re.search(r"; (in-process|processes(?: \(\w+\))?|dask), (\d+) worker", done.stderr)
    stored = re.search(r"stored (\d+) runs in [\d.]+ s \((\d+) runs/s\)", done.stderr)
    return {
        "seconds": seconds,
        "runs": int(stored.group(1)),
        "inner": int(stored.group(2)),
        "backend": f"{plan.group(1)}, {plan.group(2)} worker(s)",
        "others": others,
    }


def measure(
    experiment: Path, out: Path, choices: dict[str, int | None], repeats: int, wait: float
) -> dict[str, dict]:
    """The best of ``repeats`` sweeps under each choice of workers, interleaved, each printed.

    Returns, per choice, the best whole-command runs/s (``command``) and the best runs/s the
    sweep itself reports (``sweep``: pool start-up and shutdown included; interpreter start,
    imports and the experiment's checks, the same for every choice, not).
    """
    best = {label: {"command": 0.0, "sweep": 0.0} for label in choices}
    for _ in range(repeats):
        for label, workers in choices.items():
            wait_for_quiet(wait)
            result = sweep(experiment, out, workers)
            rate = result["runs"] / result["seconds"]
            best[label]["command"] = max(best[label]["command"], rate)
            best[label]["sweep"] = max(best[label]["sweep"], result["inner"])
            others = (
                "" if result["others"] is None else f"; others used {result['others']:.1f} CPU s"
            )
            print(
                f"  {label:<12}{rate:5.0f} runs/s whole command ({result['seconds']:5.2f} s),"
                f" {result['inner']:4d} runs/s sweep; {result['backend']}{others}",
                flush=True,
            )
    return best


def judge(name: str, value: float, target: float, missed: list[str]) -> None:
    ok = value >= target
    print(f"  {name}: {value:.2f} x — {'meets' if ok else 'MISSES'} the target of {target} x")
    if not ok:
        missed.append(name)


def memory(tmp: Path) -> None:
    classroom = ROOT / "scenarios" / "classroom_small.toml"
    for runs in (10_000, 100_000):
        experiment = tmp / f"memory{runs}.toml"
        experiment.write_text(f'scenario = "{classroom}"\nreplicates = {runs}\nmaster_seed = 1\n')
        command = [
            sys.executable,
            "-c",
            MEMORY_CHILD,
            str(experiment),
            str(tmp / f"mem{runs}"),
            "2",
        ]
        start = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
        seconds = time.perf_counter() - start
        result = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"classroom, {runs:>7,} runs, 2 workers: peak RSS {result['parent_mb']:.0f} MB"
            f" (sweeping process), {result['largest_worker_mb']:.0f} MB (largest worker);"
            f" {runs / seconds:.0f} runs/s"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3000, help="runs of the WCIT-12 sweep")
    parser.add_argument(
        "--repeats", type=int, default=3, help="measurements of each choice; the best is kept"
    )
    parser.add_argument(
        "--wait", type=float, default=60, help="seconds to wait for a quiet machine, at most"
    )
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--check", action="store_true", help="exit 1 if a target is missed")
    args = parser.parse_args()
    missed = []
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        rules = tmp / "rules.toml"
        scenario = ROOT / "scenarios" / "wcit2012"
        rules.write_text(RULES.format(scenario=scenario, replicates=max(1, args.runs // 3)))
        runs = 3 * max(1, args.runs // 3)
        print(f"WCIT-12, 3 decision rules, {runs} runs ({os.cpu_count()} cores):")
        choices = {"--workers 1": 1, "--workers 2": 2, "default": None}
        rate = measure(rules, tmp / "out", choices, args.repeats, args.wait)
        one, two, default = (rate[c] for c in choices)
        judge("2 workers over 1 (sweep)", two["sweep"] / one["sweep"], TARGET_SPEEDUP, missed)
        print(f"  2 workers over 1 (whole command): {two['command'] / one['command']:.2f} x")
        fastest = max(one["command"], two["command"])
        judge("default over the fastest", default["command"] / fastest, DEFAULT_SHARE, missed)

        openness = ROOT / "experiments" / "openness_sweep.toml"
        print("experiments/openness_sweep.toml (900 runs, decisions stored):")
        choices = {"--workers 1": 1, "default": None}
        rate = measure(openness, tmp / "out", choices, args.repeats, args.wait)
        share = rate["default"]["command"] / rate["--workers 1"]["command"]
        judge("default over --workers 1", share, DEFAULT_SHARE, missed)

        small = tmp / "small.toml"
        small.write_text(RULES.format(scenario=scenario, replicates=20))
        print("WCIT-12, 3 decision rules, 60 runs (too short for a pool):")
        choices = {"--workers 1": 1, "--workers 2": 2, "default": None}
        rate = measure(small, tmp / "out", choices, args.repeats, args.wait)
        fastest = max(rate["--workers 1"]["command"], rate["--workers 2"]["command"])
        judge(
            "default over the fastest", rate["default"]["command"] / fastest, DEFAULT_SHARE, missed
        )
        if not args.skip_memory:
            memory(tmp)
    if missed:
        print("missed: " + ", ".join(missed))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
