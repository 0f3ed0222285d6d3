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


@pytest.fixture(scope="module")
def calibration():
    import runpy

    return runpy.run_path(str(ROOT / "scripts" / "calibrate_wcit2012.py"), run_name="calibration")


def test_the_shipped_wcit_fit_reproduces_the_record_patterns(record):
    """The fitted coefficients in scenario.toml keep every pattern near the record at once."""
    runs = [patterns(run_conference(load_scenario(WCIT), seed), record) for seed in range(40)]
    summary = summarise(runs)
    parts = discrepancy(summary, record)
    assert abs(summary["share_signed"]["mean"] - record.share_signed) < 0.03
    assert summary["preamble:taken"]["mean"] == 1.0
    assert summary["early_consensus"]["mean"] == 1.0
    assert summary["late_vote"]["mean"] > 0.95
    assert parts["total"] < 3.0, parts


def test_the_calibration_resolves_signing_as_the_model_does(calibration):
    """The fit re-solves only the signing stage; it must equal a full run at any coefficients."""
    from sim.model.terms import terms

    negotiation = load_scenario(WCIT)
    for threshold, grievance, pull in ((0.0, 0.0, 0.0), (0.25, 0.3, 0.2), (0.1, 0.15, 0.05)):
        items = [
            f"process.signing.sign_threshold={threshold}",
            f"process.signing.grievance={grievance}",
            f"process.signing.bloc_pull={pull}",
        ]
        full_scenario = load_scenario(WCIT, items)
        shares = terms(full_scenario).peer_shares
        band = negotiation.process.abstain_band
        for seed in range(3):
            full = run_conference(full_scenario, seed)
            again = calibration["resign"](
                run_conference(negotiation, seed), shares, band, threshold, grievance, pull
            )
            assert (full.decision_codes == again.decision_codes).all()
            assert full.metrics == again.metrics


def test_among_equally_good_points_the_fit_keeps_the_one_nearest_the_defaults(calibration):
    defaults = calibration["DEFAULTS"]
    near = dict(defaults, threshold=0.16)
    far = dict(defaults, threshold=0.16, grievance=0.3, bloc_pull=0.0)
    worse = dict(defaults)
    table = [(1.00, far, {}), (1.01, near, {}), (9.0, worse, {})]
    assert calibration["choose"](table) == near
    assert calibration["choose"]([(1.0, far, {}), (2.0, near, {})]) == far
