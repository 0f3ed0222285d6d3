"""Reports: one self-contained HTML file for a run, a sweep or a comparison."""

import re

import pytest
from typer.testing import CliRunner

from cli import app
from tests.conftest import CLASSROOM

runner = CliRunner()


def invoke(*args):
    result = runner.invoke(app, [*map(str, args)])
    assert "Traceback" not in result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("reports")
    assert invoke("run", CLASSROOM, "--seed", 2, "--out", root / "run").exit_code == 0
    experiment = root / "sweep.toml"
    experiment.write_text(
        f'name = "Access and rule"\nscenario = "{CLASSROOM}"\nreplicates = 4\nmaster_seed = 5\n'
        "[factors]\n"
        '"process.openness.access" = [0.0, 1.0]\n'
        '"process.rounds" = [8, 9]\n'
        '"process.decision_rule" = ["consensus", "majority"]\n'
    )
    assert invoke("sweep", experiment, "--out", root / "sweep", "--no-progress").exit_code == 0
    designs = root / "designs.toml"
    designs.write_text(
        'baseline = "ITU <2012>"\n[designs."ITU <2012>"]\nprocess.openness = "closed"\n'
        '[designs.open]\nprocess.openness = "multistakeholder"\n'
    )
    result = invoke(
        "compare", CLASSROOM, "--designs", designs, "--replicates", 5, "--out", root / "cmp"
    )
    assert result.exit_code == 0, result.stderr
    html = {}
    for name in ("run", "sweep", "cmp"):
        out = root / f"{name}.html"
        result = invoke("report", root / name, "--out", out)
        assert result.exit_code == 0, result.stderr
        html[name] = out.read_text(encoding="utf-8")
    return html


@pytest.mark.parametrize("name", ["run", "sweep", "cmp"])
def test_a_report_is_self_contained(reports, name):
    html = reports[name]
    assert html.startswith("<!DOCTYPE html>")
    sources = re.findall(r'(?:src|href)="([^"]*)"', html)
    assert sources and all(s.startswith("data:image/png;base64,") for s in sources)
    assert "<script" not in html  # nothing to run, nothing to fetch
    assert not re.search(r"url\(\s*['\"]?https?:", html)
    assert "The question." in html and "Provenance" in html and "How to read it." in html


def test_the_run_report_explains_each_refusal_and_names_provisions_by_title(reports):
    html = reports["run"]
    assert "Why delegations did not sign" in html
    assert "cost of the obligation" in html  # every term of the score, by its catalogue label
    assert "Unsolicited and harmful content" in html and "Affordable access for all" in html
    assert "Commit" in html and "Version of mesa" in html


def test_the_sweep_report_flags_a_factor_without_effect(reports):
    html = reports["sweep"]
    # in the classroom scenario nothing runs past round 8, so a ninth round changes nothing
    assert "No measurable effect." in html
    assert "process.rounds changes nothing at all" in html
    assert "Decision rule" in html and "Access" in html


def test_the_comparison_report_escapes_names_and_flags_null_differences(reports):
    html = reports["cmp"]
    assert "ITU &lt;2012&gt;" in html and "ITU <2012>" not in html
    assert "open against ITU &lt;2012&gt;" in html
    # equal in every replicate and merely uncertain are told apart
    assert "No difference at all</strong> (equal in every replicate): Treaty adopted," in html
    assert "Indistinguishable from zero</strong> (the interval contains 0): Refused" in html
    assert not re.search(r"-0\.0+(?![0-9])", html)  # no "-0.000" for a zero
    assert "Affordable access for all" in html  # provisions by their titles


def test_report_mistakes_are_messages(tmp_path, reports):
    result = invoke("report", tmp_path, "--out", tmp_path / "r.html")
    assert result.exit_code == 2 and "not a run, sweep or comparison folder" in result.stderr
    result = invoke("report", tmp_path, "--out", tmp_path / "r.txt")
    assert result.exit_code == 2 and "give an .html file" in result.stderr
    assert not (tmp_path / "r.html").exists()
