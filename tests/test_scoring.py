"""Scoring a scenario's per-delegation forecast against a record (constructed records only)."""

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from cli import app
from sim import load_scenario, run_conference
from sim.analysis.scoring import bloc_baseline, score
from tests.conftest import CLASSROOM

runner = CliRunner()


def test_scores_of_a_known_forecast():
    shares = pd.DataFrame(
        {"bloc": ["x", "x"], "sign": [1.0, 0.5], "refuse": [0.0, 0.5], "defer": [0.0, 0.0]},
        index=["a", "b"],
    )
    result = score(shares, {"a": "sign", "b": "refuse"}, floor=0.01)
    assert result["brier"] == pytest.approx((0.0 + (0.25 + 0.25)) / 2)
    assert result["log_loss"] == pytest.approx(-(np.log(0.99) + np.log(0.5)) / 2)
    assert result["accuracy"] == 0.5  # b's most frequent forecast is a tie, taken as sign
    assert result["worst"][0] == {"id": "b", "recorded": "refuse", "forecast_share": 0.5}
    certain = score(shares.iloc[:1], {"a": "refuse"}, floor=0.01)
    assert certain["brier"] == 2.0 and certain["log_loss"] == pytest.approx(-np.log(0.01))


def test_the_bloc_baseline_is_the_majority_of_the_other_members():
    record = {"a": "sign", "b": "sign", "c": "refuse", "d": "refuse", "e": "defer"}
    blocs = {"a": "x", "b": "x", "c": "x", "d": "y", "e": "z"}
    base = bloc_baseline(record, blocs)
    guess = base[["sign", "refuse", "defer"]].idxmax(axis=1).to_dict()
    # a: others b (sign), c (refuse): a tie, taken as sign; c: others a, b sign
    assert guess == {"a": "sign", "b": "sign", "c": "sign", "d": "sign", "e": "sign"}
    # d and e are alone in their blocs: the record's most common decision (sign and refuse tie)


def score_cli(*args):
    result = runner.invoke(app, ["score", str(CLASSROOM), *map(str, args)])
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_a_record_equal_to_the_modal_forecast_scores_perfect_accuracy(tmp_path):
    spec = load_scenario(CLASSROOM)
    ids = spec.arrays.delegation_ids
    codes = np.array([run_conference(spec, s).decision_codes for s in range(5)])
    modal = [
        ("sign", "refuse", "defer")[np.bincount(codes[:, i], minlength=3)[:3].argmax()]
        for i in range(len(ids))
    ]
    record = tmp_path / "record.csv"
    record.write_text(
        "id,decision\n" + "".join(f"{i},{d}\n" for i, d in zip(ids, modal, strict=True))
    )
    result = score_cli(
        "--against", record, "--seeds", 5, "--baseline", "bloc", "--json", "--out", tmp_path / "s"
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["accuracy"] == 1.0 and data["delegations"] == len(ids)
    assert data["baseline"]["delegations"] == len(ids)
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "forecast.csv",
        "reliability.png",
        "score.json",
    ]
    text = score_cli("--against", record, "--seeds", 5, "--baseline", "bloc").stdout
    assert "bloc baseline" in text and "reliability of P(sign)" in text


def test_record_problems_name_the_line(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,decision\nALD,sign\nZZZ,refuse\nALD,refuse\nBRV,maybe\n")
    result = score_cli("--against", bad, "--seeds", 2)
    assert result.exit_code == 2
    assert "line 3: unknown delegation id 'ZZZ'" in result.stderr
    assert "line 4: ALD appears twice" in result.stderr
    assert "line 5: 'maybe' is not sign, refuse or defer" in result.stderr
    header = tmp_path / "header.csv"
    header.write_text("delegation,outcome\nALD,sign\n")
    result = score_cli("--against", header)
    assert result.exit_code == 2 and "line 1: the header must be: id,decision" in result.stderr
    result = score_cli("--against", tmp_path / "none.csv")
    assert result.exit_code == 2 and "no such file" in result.stderr
