"""WCIT-12, model against record: several patterns side by side (docs/validation.md).

Runs the scenario on seeds 0..R-1 and prints, for each pattern of scenarios/wcit2012/record.toml,
the record beside the model's mean and 5–95% range over runs, then each provision's fate and
the discrepancy the calibration minimises. No per-country signing fact is used or shown.

    python scripts/validate_wcit2012.py [--replicates 100] [--set PATH=VALUE ...]
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np

from sim import load_scenario, run_conference
from sim.analysis.patterns import discrepancy, patterns, read_record, summarise

SCENARIO = ROOT / "scenarios" / "wcit2012"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=100)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args()
    record = read_record(SCENARIO / "record.toml")
    scenario = load_scenario(SCENARIO, args.overrides)
    runs, fates, metrics = [], collections.defaultdict(collections.Counter), []
    for seed in range(args.replicates):
        outcome = run_conference(scenario, seed)
        runs.append(patterns(outcome, record))
        metrics.append(outcome.metrics)
        for row in outcome.provisions.itertuples(index=False):
            how = row.settled_by if not row.adopted else f"{row.settled_by} r{row.round}"
            fates[row.provision][how] += 1
    summary = summarise(runs)

    def model(key: str, digits: int = 3) -> str:
        s = summary[key]
        if s["runs"] == 0:
            return "never"
        return f"{s['mean']:.{digits}f} [{s['low']:.{digits}f}, {s['high']:.{digits}f}]"

    rows = [("pattern", "record", "model (mean [5%, 95%])")]
    rows.append(
        (
            "share of the roster signing",
            f"{record.share_signed:.3f} ({record.signed}/{record.roster})",
            model("share_signed"),
        )
    )
    signed, refused, deferred = (
        np.mean([m[k] for m in metrics]) for k in ("signed", "refused", "deferred")
    )
    rows.append(
        (
            "signed · refused or deferred",
            f"{record.signed} · {record.roster - record.signed}",
            f"{signed:.1f} · {refused + deferred:.1f} ({refused:.1f} refused, {deferred:.1f} deferred)",
        )
    )
    for vote in record.votes:
        p = vote["provision"]
        rows.append((f"{p}: decided by a vote", "yes", f"{model(f'{p}:taken', 2)} of runs"))
        tally = " – ".join(f"{summary[f'{p}:{s}']['mean']:.1f}" for s in ("yes", "no", "abstain"))
        recorded = " – ".join(str(vote[s]) for s in ("yes", "no", "abstain"))
        rows.append((f"{p}: for – against – abstain", recorded, tally))
        yes, no, abstain = (summary[f"{p}:{s}"]["mean"] for s in ("yes", "no", "abstain"))
        if summary[f"{p}:yes"]["runs"]:
            rows.append(
                (
                    f"{p}: share for, among those voting",
                    f"{vote['yes'] / (vote['yes'] + vote['no']):.3f}",
                    f"{yes / (yes + no):.3f}",
                )
            )
            rows.append(
                (
                    f"{p}: share abstaining",
                    f"{vote['abstain'] / (vote['yes'] + vote['no'] + vote['abstain']):.3f}",
                    f"{abstain / (yes + no + abstain):.3f}",
                )
            )
    rows.append(
        (
            f"by consensus before the deadline ({', '.join(record.early_consensus)})",
            "all",
            f"{model('early_consensus', 2)} of them",
        )
    )
    rows.append(
        (
            f"decided late by a vote ({', '.join(record.late_vote)})",
            "all",
            f"{model('late_vote', 2)} of them",
        )
    )
    print(f"WCIT-12: model against record over {args.replicates} seeds")
    if args.overrides:
        print(f"  with {' '.join(args.overrides)}")
    width = max(len(r[0]) for r in rows) + 2
    record_width = max(len(r[1]) for r in rows) + 2
    print()
    for label, recorded, modelled in rows:
        print(f"  {label:<{width}}{recorded:<{record_width}}{modelled}")
    print("\n  how each provision was settled (share of runs)")
    for pid, counts in fates.items():
        shown = ", ".join(f"{how} {n / args.replicates:.0%}" for how, n in counts.most_common(3))
        print(f"    {pid:<22}{shown}")
    parts = discrepancy(summary, record)
    print("\n  discrepancy (squared error on each pattern's tolerance)")
    for key, value in parts.items():
        print(f"    {key:<26}{value:8.2f}")


if __name__ == "__main__":
    main()
