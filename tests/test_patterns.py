"""Pattern-oriented validation: the WCIT-12 record, patterns of a run, the discrepancy."""

import subprocess
import sys

import numpy as np
import pytest

from sim import load_scenario, run_conference
from sim.analysis.patterns import discrepancy, patterns, read_record, summarise
from tests.conftest import ROOT

WCIT = ROOT / "scenarios" / "wcit2012"


@pytest.fixture(scope="module")
def record():
    return read_record(WCIT / "record.toml")


def test_the_record_holds_the_aggregate_facts(record):
    assert (record.roster, record.signed) == (131, 76)
    assert record.share_signed == pytest.approx(0.580, abs=5e-4)
    (vote,) = record.votes
    assert (vote["provision"], vote["yes"], vote["no"], vote["abstain"]) == ("preamble", 77, 33, 8)
    ids = set(load_scenario(WCIT).arrays.provision_ids)
    assert set(record.early_consensus) | set(record.late_vote) <= ids
    assert not set(record.early_consensus) & set(record.late_vote)


def test_patterns_of_a_run(record):
    outcome = run_conference(load_scenario(WCIT), 0)
    found = patterns(outcome, record)
    assert found["share_signed"] == outcome.metrics["signed"] / 131
    c = outcome.arrays.provision_ids.index("preamble")
    if found["preamble:taken"]:
        row = outcome.deciding_vote(c)
        assert found["preamble:yes"] == row.tally.yes[c]
    else:
        assert np.isnan(found["preamble:yes"])
    assert 0 <= found["early_consensus"] <= 1 and 0 <= found["late_vote"] <= 1


def test_a_model_that_reproduces_the_record_has_no_discrepancy(record):
    perfect = {
        "share_signed": 76 / 131,
        "preamble:taken": 1.0,
        "preamble:yes": 77.0,
        "preamble:no": 33.0,
        "preamble:abstain": 8.0,
        "early_consensus": 1.0,
        "late_vote": 1.0,
    }
    parts = discrepancy(summarise([perfect, perfect]), record)
    assert parts["total"] == pytest.approx(0.0)
    # and each pattern costs one unit at its tolerance
    off = dict(perfect, share_signed=76 / 131 + 0.02)
    assert discrepancy(summarise([off]), record)["share_signed"] == pytest.approx(1.0)
    # a vote never taken costs as much as missing the shares by ten tolerances
    never = dict(
        perfect,
        **{
            "preamble:taken": 0.0,
            "preamble:yes": np.nan,
            "preamble:no": np.nan,
            "preamble:abstain": np.nan,
        },
    )
    parts = discrepancy(summarise([never]), record)
    assert parts["preamble:taken"] == pytest.approx(100.0)


def test_the_validation_script_prints_model_beside_record():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "validate_wcit2012.py"), "--replicates", "3"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "share of the roster signing" in result.stdout
    assert "0.580 (76/131)" in result.stdout
    assert "77 – 33 – 8" in result.stdout
