"""Numbers that summarise one run (docs/model.md §7.7): pure functions of an outcome's arrays."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.mechanisms.signing import DEFER, REFUSE, SIGN
from sim.model.mechanisms.valuation import satisfaction

if TYPE_CHECKING:
    from sim.results.outcome import Outcome

#: Metric names in the order every table and JSON object lists them.
METRIC_NAMES = (
    "treaty_adopted",
    "n_adopted",
    "rounds_used",
    "signed",
    "refused",
    "deferred",
    "defection_rate",
    "weighted_defection",
    "stakeholder_alignment",
    "votes_called",
    "overruled",
    "home_gap",
    "welfare",
    "welfare_gini",
)


def gini(values: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0 = equal, → 1 = concentrated)."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = len(x), x.sum()
    if n == 0 or total <= 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(2.0 * (ranks * x).sum() / (n * total) - (n + 1) / n)


def stakeholder_alignment(
    package: np.ndarray, positions: np.ndarray, salience: np.ndarray, resources: np.ndarray
) -> float | None:
    """Resource-weighted mean satisfaction of stakeholders; None without stakeholders."""
    if len(resources) == 0:
        return None
    return float(np.average(satisfaction(package, positions, salience), weights=resources))


def compute(outcome: Outcome) -> dict:
    """All metrics of one run, as plain Python values in ``METRIC_NAMES`` order."""
    a = outcome.arrays
    codes = outcome.decision_codes
    n = len(codes)
    refused = codes == REFUSE
    welfare = satisfaction(outcome.package, a.ideal, a.salience)
    return {
        "treaty_adopted": bool(outcome.treaty_adopted),
        "n_adopted": int(outcome.adopted.sum()),
        "rounds_used": int(outcome.rounds_used),
        "signed": int((codes == SIGN).sum()),
        "refused": int(refused.sum()),
        "deferred": int((codes == DEFER).sum()),
        "defection_rate": float(refused.sum() / n),
        "weighted_defection": float(a.capability[refused].sum() / a.capability.sum()),
        "stakeholder_alignment": stakeholder_alignment(
            outcome.package, a.stakeholder_positions, a.stakeholder_salience, a.resources
        ),
        "votes_called": int(outcome.votes_called.sum()),
        "overruled": float((outcome.overruled * a.salience).sum(axis=1).mean()),
        "home_gap": float(
            np.abs(outcome.terms["table_value"] - outcome.terms["home_value"]).mean()
        ),
        "welfare": float(welfare.mean()),
        "welfare_gini": gini(welfare),
    }
