"""Scoring a scenario's forecast of per-delegation decisions against a record of what happened.

The forecast is the share of seeds in which each delegation signs, refuses or defers. Against a
record (``id,decision`` per line) it reports accuracy of the most frequent decision, the Brier
score (sum over the three decisions of the squared difference between forecast share and
outcome, averaged over delegations; 0 is perfect, 2 the worst), the log loss (with shares kept
at least 1/(2·seeds) from 0 and 1, so one unseen outcome is costly but finite), a confusion table
by bloc, the worst-forecast delegations, and the reliability of the forecast probability of
signing. The bloc baseline forecasts for each delegation what most of the other members of its
bloc did in the record (leave-one-out; a delegation alone in its bloc gets the record's most
common decision), so it uses the record itself and is a demanding yardstick.
"""

from __future__ import annotations

import csv
import itertools
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from sim.errors import InputError, Problem
from sim.run import run_conference
from sim.scenario.schema import Scenario

OUTCOMES = ("sign", "refuse", "defer")


def read_record(path: str | Path, ids: list[str]) -> dict[str, str]:
    """Read ``id,decision`` lines; every problem names the line.

    Raises:
        InputError: unknown ids, repeated ids, decisions other than sign/refuse/defer, a missing
            header.
    """
    path = Path(path)
    where = str(path)
    if not path.is_file():
        raise InputError.single(where, "--against", "no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise InputError.single(where, "--against", f"cannot read: {err}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or [c.strip() for c in rows[0]] != ["id", "decision"]:
        raise InputError.single(where, "line 1", "the header must be: id,decision")
    known, record, problems = set(ids), {}, []
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        if len(row) != 2:
            problems.append(Problem(where, f"line {number}", "expected two cells: id,decision"))
            continue
        did, decision = row[0].strip(), row[1].strip().lower()
        if did not in known:
            problems.append(Problem(where, f"line {number}", f"unknown delegation id {did!r}"))
        elif did in record:
            problems.append(Problem(where, f"line {number}", f"{did} appears twice"))
        elif decision not in OUTCOMES:
            problems.append(
                Problem(where, f"line {number}", f"{decision!r} is not sign, refuse or defer")
            )
        else:
            record[did] = decision
    if problems:
        raise InputError(problems)
    if not record:
        raise InputError.single(where, "--against", "no decisions in the file")
    return record


def forecast(scenario: Scenario, seeds: int) -> pd.DataFrame:
    """Share of seeds 0..seeds−1 in which each delegation signs, refuses, defers."""
    a = scenario.arrays
    counts = np.zeros((len(a.delegation_ids), 4))
    for seed in range(seeds):
        codes = run_conference(scenario, seed).decision_codes
        counts[np.arange(len(codes)), codes] += 1
    frame = pd.DataFrame(
        counts[:, :3] / seeds, columns=list(OUTCOMES), index=list(a.delegation_ids)
    )
    frame.index.name = "id"
    frame.insert(0, "bloc", [b or "no bloc" for b in a.delegation_blocs])
    return frame


def bloc_baseline(record: dict[str, str], blocs: dict[str, str]) -> pd.DataFrame:
    """For each recorded delegation, the record's majority among the other members of its bloc."""
    overall = Counter(record.values()).most_common(1)[0][0]
    rows = {}
    for did in record:
        others = [record[o] for o in record if o != did and blocs[o] == blocs[did]]
        guess = _mode(others) if others else overall
        rows[did] = {k: float(k == guess) for k in OUTCOMES}
    frame = pd.DataFrame.from_dict(rows, orient="index")[list(OUTCOMES)]
    frame.index.name = "id"
    frame.insert(0, "bloc", [blocs[d] for d in frame.index])
    return frame


def _mode(values: list[str]) -> str:
    counts = Counter(values)
    best = max(counts.values())
    return next(k for k in OUTCOMES if counts.get(k) == best)  # ties: sign, then refuse


def score(shares: pd.DataFrame, record: dict[str, str], floor: float) -> dict:
    """Accuracy, Brier score, log loss, confusion by bloc, worst forecasts, reliability."""
    ids = [d for d in shares.index if d in record]
    p = shares.loc[ids, list(OUTCOMES)].to_numpy(dtype=float)
    observed = np.array([[float(record[d] == k) for k in OUTCOMES] for d in ids])
    predicted = [OUTCOMES[i] for i in p.argmax(axis=1)]
    truth = [record[d] for d in ids]
    p_true = (p * observed).sum(axis=1)
    clipped = np.clip(p_true, floor, 1 - floor)
    confusion = (
        pd.DataFrame({"bloc": shares.loc[ids, "bloc"], "recorded": truth, "forecast": predicted})
        .groupby(["bloc", "recorded", "forecast"])
        .size()
        .rename("delegations")
        .reset_index()
    )
    worst = sorted(zip(ids, p_true, truth, strict=True), key=lambda t: (t[1], t[0]))[:10]
    bins = np.linspace(0, 1, 6)
    sign_p, sign_o = p[:, 0], observed[:, 0]
    reliability = []
    for low, high in itertools.pairwise(bins):
        inside = (sign_p >= low) & ((sign_p < high) | (high == 1.0))
        if inside.any():
            reliability.append(
                {
                    "forecast_low": float(low),
                    "forecast_high": float(high),
                    "mean_forecast": float(sign_p[inside].mean()),
                    "observed": float(sign_o[inside].mean()),
                    "delegations": int(inside.sum()),
                }
            )
    return {
        "delegations": len(ids),
        "accuracy": float(np.mean([f == t for f, t in zip(predicted, truth, strict=True)])),
        "brier": float(((p - observed) ** 2).sum(axis=1).mean()),
        "log_loss": float(-np.log(clipped).mean()),
        "confusion": confusion.to_dict("records"),
        "worst": [{"id": d, "recorded": t, "forecast_share": float(q)} for d, q, t in worst],
        "reliability": reliability,
    }


def render(result: dict, baseline: dict | None = None) -> str:
    """The score as text."""
    lines = [
        f"Forecast against the record: {result['delegations']} delegations, "
        f"{result['seeds']} seeds",
        "",
        f"  {'':<14}{'model':>10}" + (f"{'bloc baseline':>16}" if baseline else ""),
    ]
    for key, label in (
        ("accuracy", "accuracy"),
        ("brier", "Brier score"),
        ("log_loss", "log loss"),
    ):
        row = f"  {label:<14}{result[key]:>10.3f}"
        if baseline:
            row += f"{baseline[key]:>16.3f}"
        lines.append(row)
    lines.append(
        "  (accuracy: share whose most frequent forecast decision is the recorded one; Brier 0–2 and"
        " log loss: lower is better)"
    )
    lines += ["", "  recorded → forecast, by bloc"]
    for row in result["confusion"]:
        mark = "" if row["recorded"] == row["forecast"] else "   ✗"
        lines.append(
            f"    {row['bloc']:<12}{row['recorded']:>8} → {row['forecast']:<8}{row['delegations']:>4}{mark}"
        )
    lines += ["", "  worst forecast (share of seeds with the recorded decision)"]
    for w in result["worst"][:8]:
        lines.append(f"    {w['id']:<8}{w['recorded']:<8}{w['forecast_share']:>6.2f}")
    lines += ["", "  reliability of P(sign): forecast bin, mean forecast, observed share"]
    for r in result["reliability"]:
        lines.append(
            f"    {r['forecast_low']:.1f}–{r['forecast_high']:.1f}  {r['mean_forecast']:.2f}"
            f"  {r['observed']:.2f}  ({r['delegations']} delegation{'s' * (r['delegations'] != 1)})"
        )
    return "\n".join(lines) + "\n"
