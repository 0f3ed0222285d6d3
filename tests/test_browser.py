"""Reports open in a real browser: every image decodes, no error, nothing leaves the file."""

import base64
import io

import pytest
from matplotlib.figure import Figure
from typer.testing import CliRunner

from cli import app
from tests.browser import inspect_page, needs_browser
from tests.conftest import CLASSROOM

runner = CliRunner()
pytestmark = needs_browser


def png_uri(width: float = 2) -> str:
    figure = Figure(figsize=(width, 1))
    figure.add_subplot().plot([0, 1], [0, 1])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def test_the_inspector_sees_decoded_images_and_no_traffic(tmp_path):
    page = tmp_path / "ok.html"
    page.write_text(
        f'<!DOCTYPE html><title>t</title><img src="{png_uri()}" alt="">'
        '<svg width="10" height="10"><rect width="10" height="10"/></svg>'
        # A lazy image far below the fold (another image, so not already in the cache) still
        # counts as decoded.
        f'<div style="height: 5000px"></div><img loading="lazy" src="{png_uri(3)}" alt="">'
    )
    report = inspect_page(page)
    assert [(i["naturalWidth"], i["naturalHeight"]) for i in report.images] == [
        (200, 100),
        (300, 100),
    ]
    assert report.svgs == 1 and report.undecoded == []
    assert not (report.console_errors or report.page_errors or report.outside_requests)


def test_the_inspector_catches_and_blocks_outside_requests(tmp_path):
    page = tmp_path / "outside.html"
    page.write_text('<!DOCTYPE html><title>t</title><img src="https://example.com/x.png" alt="">')
    report = inspect_page(page)
    assert report.outside_requests == ["https://example.com/x.png"]
    assert [i["naturalWidth"] for i in report.undecoded] == [0]


def test_the_inspector_catches_script_errors(tmp_path):
    page = tmp_path / "throws.html"
    page.write_text(
        "<!DOCTYPE html><title>t</title>"
        "<script>console.error('logged'); throw new Error('boom')</script>"
    )
    report = inspect_page(page)
    assert "boom" in " ".join(report.page_errors)
    assert report.console_errors == ["logged"] and report.outside_requests == []


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    invoke = lambda *a: runner.invoke(app, [*map(str, a)])  # noqa: E731
    assert invoke("run", CLASSROOM, "--seed", 1, "--out", root / "run").exit_code == 0
    experiment = root / "sweep.toml"
    experiment.write_text(
        f'name = "small"\nscenario = "{CLASSROOM}"\nreplicates = 3\nmaster_seed = 1\n'
        '[factors]\n"process.openness.access" = [0.0, 1.0]\n'
        '"process.decision_rule" = ["consensus", "majority"]\n'
    )
    assert invoke("sweep", experiment, "--out", root / "sweep", "--no-progress").exit_code == 0
    result = invoke(
        "compare",
        CLASSROOM,
        "--b",
        "process.openness=multistakeholder",
        "--replicates",
        4,
        "--out",
        root / "cmp",
    )
    assert result.exit_code == 0
    paths = {}
    for name in ("run", "sweep", "cmp"):
        paths[name] = root / f"{name}.html"
        assert invoke("report", root / name, "--out", paths[name], "--quiet").exit_code == 0
    return paths


@pytest.mark.parametrize("name", ["run", "sweep", "cmp"])
def test_every_report_opens_offline_with_all_figures(reports, name):
    report = inspect_page(reports[name])
    assert report.images, "a report shows its figures"
    assert not report.undecoded, report.undecoded
    assert all(i["naturalWidth"] > 0 for i in report.images)
    assert report.console_errors == [] and report.page_errors == []
    assert report.outside_requests == []
    assert "The question." in report.text and "Provenance" in report.text


def test_the_classroom_debrief_opens_offline(tmp_path):
    out = tmp_path / "session"
    script = "\n".join(["a", "", "", "", "charging=30"] + [""] * 200)
    result = runner.invoke(
        app,
        ["classroom", str(CLASSROOM), "--human", "ALD", "--seed", 4, "--out", str(out)],
        input=script,
    )
    assert result.exit_code == 0, result.stderr
    page = tmp_path / "debrief.html"
    result = runner.invoke(app, ["debrief", str(out), "--out", str(page), "--seeds", 2])
    assert result.exit_code == 0, result.stderr
    report = inspect_page(page)
    assert len(report.images) == 2 and not report.undecoded
    assert not (report.console_errors or report.page_errors or report.outside_requests)
