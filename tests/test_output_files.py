"""Commands that write pages and figures replace only what treatysim wrote, and `-` is stdout."""

import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from sim import load_scenario
from tests.conftest import CLASSROOM, ROOT

runner = CliRunner()
NOT_OURS = "exists and treatysim did not write it; remove it or choose another name"


def invoke(*args, input=None):
    result = runner.invoke(app, [*map(str, args)], input=input)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def snapshot(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("sources") / "run"
    assert invoke("run", CLASSROOM, "--out", out).exit_code == 0
    return out


def renamed(tmp_path, old, new):
    """A copy of the teaching scenario with one delegation's id changed."""
    text = CLASSROOM.read_text(encoding="utf-8")
    path = tmp_path / f"{new}.toml"
    path.write_text(re.sub(rf'"{old}"', f'"{new}"', text), encoding="utf-8")
    return path


# --- handouts claim their folder ----------------------------------------------------------


def test_handouts_never_replace_a_users_page(tmp_path):
    out = tmp_path / "class"
    out.mkdir()
    (out / "index.html").write_text("<p>my course page</p>\n")
    result = invoke("handouts", CLASSROOM, "--out", out)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {out}: --out: holds index.html, which no earlier handouts wrote (it has no "
        "manifest.json of theirs); choose an empty or new folder"
    )
    assert snapshot(out) == {"index.html": b"<p>my course page</p>\n"}


def test_handouts_never_land_among_a_scenarios_a_runs_or_the_working_folders_files(
    tmp_path, run, monkeypatch
):
    scenario = tmp_path / "wcit"
    shutil.copytree(ROOT / "scenarios" / "wcit2012", scenario)
    for folder, reason in (
        (scenario, "holds files this command does not write"),
        (run, "holds a run's results; write a class's handouts to another folder"),
    ):
        before = snapshot(folder)
        result = invoke("handouts", CLASSROOM, "--out", folder)
        assert result.exit_code == 2 and reason in result.stderr, result.stderr
        assert snapshot(folder) == before
    monkeypatch.chdir(scenario)
    before = snapshot(scenario)
    result = invoke("handouts", CLASSROOM, "--out", ".")
    assert result.exit_code == 2 and "holds files this command does not write" in result.stderr
    assert snapshot(scenario) == before


def test_handouts_rewrite_their_own_folder_and_drop_briefs_of_seats_gone(tmp_path):
    out = tmp_path / "class"
    assert invoke("handouts", CLASSROOM, "--out", out).exit_code == 0
    assert (out / "brief-ALD.html").is_file()
    # other handouts' folders are refused by their manifest, not mistaken for these
    result = invoke("run", CLASSROOM, "--out", out)
    assert result.exit_code == 2 and "holds a class's handouts" in result.stderr
    again = invoke("handouts", renamed(tmp_path, "ALD", "ALX"), "--out", out)
    assert again.exit_code == 0, again.stderr
    assert (out / "brief-ALX.html").is_file() and not (out / "brief-ALD.html").exists()


def test_handouts_are_written_all_or_nothing(tmp_path, monkeypatch):
    out = tmp_path / "class"
    assert invoke("handouts", CLASSROOM, "--out", out).exit_code == 0
    before = snapshot(out)
    real, calls = Path.write_text, []

    def full_disk(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", full_disk)
    result = invoke("handouts", renamed(tmp_path, "ALD", "ALX"), "--out", out)
    monkeypatch.undo()
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {out}: --out: cannot write: No space left on device"
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# --- no delegation id names another page --------------------------------------------------


@pytest.mark.parametrize("name", ["index", "facilitator", "manifest"])
def test_a_delegation_named_like_a_page_keeps_its_brief(tmp_path, name):
    out = tmp_path / "class"
    result = invoke("handouts", renamed(tmp_path, "ALD", name), "--out", out)
    assert result.exit_code == 0, result.stderr
    seats = len(load_scenario(CLASSROOM).delegations)
    briefs = sorted(p.name for p in out.glob("brief-*.html"))
    assert len(briefs) == seats and f"brief-{name}.html" in briefs
    assert f"wrote {seats + 2} pages" in result.stderr
    assert "Your instructions" in (out / f"brief-{name}.html").read_text()
    sheet = (out / "index.html").read_text()
    assert "Facilitator sheet" in sheet
    links = re.findall(r'href="([^"]+)"', sheet)
    assert sorted(links) == briefs and all((out / link).is_file() for link in links)


def test_ids_that_differ_only_in_case_are_refused_before_anything_is_written(tmp_path):
    text = CLASSROOM.read_text(encoding="utf-8").replace('"ALD"', '"kes"')
    scenario = tmp_path / "case.toml"
    scenario.write_text(text, encoding="utf-8")
    assert invoke("validate", scenario).exit_code == 0
    result = invoke("handouts", scenario, "--out", tmp_path / "class")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        f"error: {scenario}: delegations: ids kes and KES differ only in case, so their briefs "
        "would be one file on Windows and macOS; rename one"
    )
    assert not (tmp_path / "class").exists()


# --- plot, report and debrief replace only their own earlier file -------------------------


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_plot_replaces_its_own_figure_but_never_a_users_file(tmp_path, run, suffix):
    photo = tmp_path / f"photo{suffix}"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n holiday")
    result = invoke("plot", run, "--kind", "signatures", "--out", photo)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {photo}: --out: {NOT_OURS}"
    assert photo.read_bytes() == b"\x89PNG\r\n\x1a\n holiday"
    figure = tmp_path / f"figure{suffix}"
    assert invoke("plot", run, "--kind", "signatures", "--out", figure).exit_code == 0
    first = figure.read_bytes()
    again = invoke("plot", run, "--kind", "trajectory", "--out", figure)
    assert again.exit_code == 0, again.stderr
    assert figure.read_bytes() != first


def test_a_large_figure_is_recognised_by_its_ends(tmp_path, run):
    from sim.folders import MARK_WINDOW

    figure = tmp_path / "big.pdf"
    assert invoke("plot", run, "--kind", "trajectory", "--out", figure).exit_code == 0
    data = figure.read_bytes()  # the PDF's info dictionary is near its end
    figure.write_bytes(data[:100] + b"%" + b" " * (3 * MARK_WINDOW) + b"\n" + data[100:])
    assert invoke("plot", run, "--kind", "signatures", "--out", figure).exit_code == 0


def test_report_replaces_its_own_page_but_never_a_users_notes(tmp_path, run):
    notes = tmp_path / "notes.html"
    notes.write_text("<p>my notes</p>\n")
    result = invoke("report", run, "--out", notes, "--quiet")
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {notes}: --out: {NOT_OURS}"
    assert notes.read_text() == "<p>my notes</p>\n"
    page = tmp_path / "report.html"
    assert invoke("report", run, "--out", page, "--quiet").exit_code == 0
    page.write_text(page.read_text().replace("</footer>", "edited</footer>"))
    assert invoke("report", run, "--out", page, "--quiet").exit_code == 0
    assert "edited" not in page.read_text()


def test_debrief_never_replaces_a_users_page(tmp_path):
    notes = tmp_path / "notes.html"
    notes.write_text("<p>my notes</p>\n")
    result = invoke("debrief", tmp_path / "no-session", "--out", notes)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {notes}: --out: {NOT_OURS}"
    assert notes.read_text() == "<p>my notes</p>\n"


def test_debrief_replaces_its_own_page(tmp_path):
    session = tmp_path / "session"
    played = invoke("classroom", CLASSROOM, "--human", "ALD", "--out", session, input="\n" * 200)
    assert played.exit_code == 0, played.stderr
    page = tmp_path / "debrief.html"
    for _ in range(2):
        result = invoke("debrief", session, "--out", page, "--seeds", 2)
        assert result.exit_code == 0, result.stderr
    assert "Debrief" in page.read_text()


# --- '-' is standard output ---------------------------------------------------------------


def test_import_to_dash_prints_the_scenario(tmp_path, monkeypatch):
    data = tmp_path / "data.csv"
    data.write_text("actor,issue,position,salience,capability\nA,x,10,0.5,1\nB,x,90,0.5,2\n")
    monkeypatch.chdir(tmp_path)
    result = invoke("import", data, "--format", "long", "--out", "-")
    assert result.exit_code == 0, result.stderr
    assert not (tmp_path / "-").exists()
    printed = invoke("import", data, "--format", "long")
    assert result.stdout == printed.stdout and "by `treatysim import`" in result.stdout


def test_synth_out_replaces_only_its_own_scenario_and_dash_is_stdout(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    runner = CliRunner()
    mine = tmp_path / "mine.toml"
    mine.write_text("# my notes\n")
    result = runner.invoke(app, ["synth", "--out", str(mine)])
    assert result.exit_code == 2 and "is not a scenario `treatysim synth` wrote" in result.stderr
    assert mine.read_text() == "# my notes\n"
    made = tmp_path / "made.toml"
    assert runner.invoke(app, ["synth", "--out", str(made)]).exit_code == 0
    assert runner.invoke(app, ["synth", "--out", str(made), "--seed", "2"]).exit_code == 0
    result = runner.invoke(app, ["synth", "--out", "-"])
    assert result.exit_code == 0 and result.stdout.startswith('name = "synthetic-')
    assert not (tmp_path / "-").exists()
