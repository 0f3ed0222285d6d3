"""A comparison's folder (``treatysim compare --out``): its JSON result and tidy tables.

One row per design × metric, provision or delegation, with the catalogue's labels and units,
written all or nothing beside the result and the manifest.
"""

from __future__ import annotations

import json
from pathlib import Path

from sim.catalogue import entry

COMPARISON_FILES = (
    "comparison.json",
    "metrics.csv",
    "provisions.csv",
    "changes.csv",
    "manifest.json",
)


_SIDES = ("design", "baseline")
TABLE_COLUMNS = {
    "metrics.csv": (
        *_SIDES,
        *("metric", "label", "unit", "better", "baseline_mean", "design_mean"),
        *("difference", "low", "high"),
    ),
    "provisions.csv": (
        *_SIDES,
        *("provision", "baseline_text", "design_text", "difference", "low", "high"),
        *("baseline_adopted", "design_adopted"),
    ),
    "changes.csv": (*_SIDES, "delegation", "share_changed", "transitions"),
}


def comparison_tables(result: dict) -> dict[str, list[dict]]:
    """The comparison as tidy tables: one row per design × metric, provision, delegation."""
    base = result["baseline"]
    metrics, provisions, changes = [], [], []
    for contrast in result["contrasts"]:
        design = contrast["design"]
        for name, m in contrast["metrics"].items():
            e = entry(name)
            metrics.append(
                {
                    "design": design,
                    "baseline": base,
                    "metric": name,
                    "label": e.label,
                    "unit": e.unit,
                    "better": e.better or "",
                    "baseline_mean": m["a"],
                    "design_mean": m["b"],
                    "difference": m["difference"],
                    "low": m["interval"][0],
                    "high": m["interval"][1],
                }
            )
        for row in contrast["provisions"]:
            provisions.append(
                {
                    "design": design,
                    "baseline": base,
                    "provision": row["provision"],
                    "baseline_text": row["a"],
                    "design_text": row["b"],
                    "difference": row["difference"],
                    "low": row["interval"][0],
                    "high": row["interval"][1],
                    "baseline_adopted": row["adopted_a"],
                    "design_adopted": row["adopted_b"],
                }
            )
        for change in contrast["changes"]:
            changes.append(
                {
                    "design": design,
                    "baseline": base,
                    "delegation": change["delegation"],
                    "share_changed": change["share_changed"],
                    "transitions": "; ".join(
                        f"{k} {v:.3f}" for k, v in change["transitions"].items()
                    ),
                }
            )
    return {"metrics.csv": metrics, "provisions.csv": provisions, "changes.csv": changes}


def write_comparison(out: str | Path, payload: dict, manifest: dict) -> list[Path]:
    """Write a comparison folder, all or nothing: the JSON result, tidy CSVs and the manifest.

    Raises:
        InputError: when ``out`` is a file, or a folder holding something other than a
            comparison (:func:`sim.folders.claim`).
    """
    import pandas as pd

    from sim.folders import claim, staged

    out = Path(out)
    claim(out, "comparison", COMPARISON_FILES)
    with staged(out, COMPARISON_FILES) as staging:
        (staging / "comparison.json").write_text(json.dumps(payload, indent=2) + "\n")
        for name, rows in comparison_tables(payload).items():
            pd.DataFrame(rows, columns=TABLE_COLUMNS[name]).to_csv(staging / name, index=False)
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, default=str) + "\n")
    return [out / name for name in COMPARISON_FILES]
