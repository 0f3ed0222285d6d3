"""The shipped scenarios: they validate, their structure is as documented, their results are pinned."""

import json
import sys

import numpy as np
import pytest

from sim import load_scenario
from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
from regenerate_golden import GOLDEN, shipped_scenarios, summary

SHIPPED = shipped_scenarios()
WCIT = ROOT / "scenarios" / "wcit2012"
PROVISIONS = (
    "scope",
    "security",
    "spam",
    "internet_resolution",
    "preamble",
    "numbering",
    "charging",
    "roaming",
    "accessibility",
)


def test_the_expected_scenarios_ship():
    assert {"classroom_small", "wcit2012", "wcit2012_open"} <= set(SHIPPED)


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_every_shipped_scenario_validates(name):
    spec = load_scenario(SHIPPED[name])
    assert spec.arrays.shape[0] > 0


def close(ours, golden, path="$"):
    """Equal structure and discrete values; numbers within 1e-6 (platform float noise)."""
    if isinstance(golden, dict):
        assert isinstance(ours, dict) and ours.keys() == golden.keys(), path
        for key in golden:
            close(ours[key], golden[key], f"{path}.{key}")
    elif isinstance(golden, list):
        assert isinstance(ours, list) and len(ours) == len(golden), path
        for i, (a, b) in enumerate(zip(ours, golden, strict=True)):
            close(a, b, f"{path}[{i}]")
    elif isinstance(golden, float) and not isinstance(golden, bool):
        assert ours == pytest.approx(golden, abs=1e-6), path
    else:
        assert ours == golden, path


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_golden_summary(name):
    """Pinned `treatysim run SCENARIO --seed 1 --json`; regenerate with scripts/regenerate_golden.py."""
    golden = json.loads((GOLDEN / f"{name}.json").read_text())
    close(json.loads(json.dumps(summary(SHIPPED[name]))), golden)


def test_wcit_structure():
    spec = load_scenario(WCIT)
    a = spec.arrays
    assert a.provision_ids == PROVISIONS
    assert len(a.delegation_ids) == 131
    assert all(len(d) == 3 and d.isupper() for d in a.delegation_ids)
    assert {b.id for b in spec.blocs} == {"CEPT", "CITEL", "APT", "ATU", "ARB", "RCC", "JOINT"}
    joint = {d.id for d in spec.delegations if "JOINT" in d.coalitions}
    assert joint == {"RUS", "CHN", "ARE", "SAU", "DZA", "SDN"}
    assert set(a.votes) == {1.0}
    assert set(np.round(a.domestic_openness, 2)) <= {0.2, 0.5, 0.8}
    process = spec.process
    assert (process.decision_rule, process.fallback_rule, process.rounds) == (
        "consensus",
        "majority",
        12,
    )
    assert process.openness.values() == (0.1, 0.3, 0.2)
    assert {s.id for s in spec.stakeholders} >= {"ETNO", "ISOC", "EDRi", "AccessNow"}


def test_the_open_counterfactual_changes_only_the_process_design():
    closed = load_scenario(WCIT).model_dump()
    open_ = load_scenario(ROOT / "scenarios" / "wcit2012_open").model_dump()
    assert open_["process"]["openness"] == {
        "preset": "multistakeholder",
        "access": None,
        "transparency": None,
        "inclusion": None,
    }
    for dump in (closed, open_):
        for key in ("name", "description"):
            dump.pop(key)
        dump["process"].pop("openness")
    assert closed == open_


def test_wcit_provenance_table_matches_the_data():
    """Every delegation's capability and openness in PROVENANCE.md §10 are the ones in the CSV."""
    import re

    text = (WCIT / "PROVENANCE.md").read_text()
    table = text.split("## 10. Per-country table", 1)[1].split("## 11.", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 9 and re.fullmatch(r"[A-Z]{3}", cells[0]):
            rows[cells[0]] = (float(cells[5]), float(cells[7]))
    spec = load_scenario(WCIT)
    assert set(rows) == {d.id for d in spec.delegations}
    for d in spec.delegations:
        assert rows[d.id] == (d.capability, d.domestic_openness), d.id


def read_csv(path):
    import csv

    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_country_position_is_a_row_of_the_coding_table():
    """delegations.csv's pos_ cells are exactly evidence.csv: each with a checkable source dated
    before the forced vote of 13 December 2012, and none resting on a withheld report."""
    import datetime
    import re

    evidence = read_csv(WCIT / "evidence.csv")
    coded = {(row["delegation"], row["provision"]): row for row in evidence}
    assert len(coded) == len(evidence), "one row per cell"
    cells = {}
    for row in read_csv(WCIT / "delegations.csv"):
        for key, value in row.items():
            if key.startswith("pos_") and value.strip():
                cells[(row["id"], key[4:])] = float(value)
    assert set(cells) == set(coded)
    ids = {d.id for d in load_scenario(WCIT).delegations}
    for key, row in coded.items():
        assert key[0] in ids and key[1] in PROVISIONS, key
        assert float(row["value"]) == cells[key], key
        assert 0 <= float(row["value"]) <= 100, key
        assert row["status"] in {"VERIFIED", "INFERRED"}, key
        assert row["basis"] in {"own", "co-sponsor", "regional"}, key
        assert row["source_title"].strip() and row["note"].strip(), key
        assert all(u.strip().startswith("http") for u in row["source_url"].split(" ; ")), key
        dates = re.findall(r"\d{4}-\d{2}(?:-\d{2})?", row["date"])
        assert dates, key
        latest = max(dates)
        latest = latest if len(latest) == 10 else latest + "-01"
        assert datetime.date.fromisoformat(latest) < datetime.date(2012, 12, 13), key
        assert "withheld" not in (row["source_title"] + row["note"]).lower(), key


def test_every_target_delegation_was_searched():
    """The 40 largest delegations, every CITEL and APT member, and ATU members with a record of
    their own appear in searched.csv; those with cells say so."""
    searched = {row["delegation"]: row for row in read_csv(WCIT / "searched.csv")}
    spec = load_scenario(WCIT)
    by_size = sorted(spec.delegations, key=lambda d: -d.capability)
    targets = {d.id for d in by_size[:40]}
    targets |= {d.id for d in spec.delegations if d.bloc in ("CITEL", "APT")}
    assert targets <= set(searched)
    with_cells = {row["delegation"] for row in read_csv(WCIT / "evidence.csv")}
    for did, row in searched.items():
        assert row["result"] in {"cells", "none"}, did
        assert (row["result"] == "cells") == (did in with_cells), did


def test_every_source_the_wcit_record_cites_is_listed():
    """record.toml's patterns name their sources; each is an entry of PROVENANCE.md §11."""
    import re
    import tomllib

    record = tomllib.loads((WCIT / "record.toml").read_text())
    cited = set(record["signing"]["sources"])
    for vote in record["votes"]:
        cited |= set(vote["sources"])
    cited |= set(re.findall(r"\[(S\d+)\]", (WCIT / "record.toml").read_text()))
    listed = set(re.findall(r"^- \[(S\d+)\]", (WCIT / "PROVENANCE.md").read_text(), re.M))
    assert cited and cited <= listed, sorted(cited - listed)
