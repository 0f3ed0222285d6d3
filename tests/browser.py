"""Open an HTML file in a real, headless Chromium and report what a reader would meet.

Uses Debian's ``chromium`` driven by Playwright through its executable path (Playwright cannot
download browsers here). Every request other than the file itself and ``data:``/``blob:`` URLs
is recorded and aborted, so nothing leaves the machine and a page that would fetch something is
caught.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")


def chromium() -> str | None:
    """The Chromium executable, or None."""
    for path in CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("chromium") or shutil.which("chromium-browser")


def skip_reason() -> str | None:
    """Why real-browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright not installed: pip install 'treatysim[dev]'"
    if chromium() is None:
        return "Chromium not installed: apt-get install chromium"
    return None


#: Marks a test that needs a real browser; skipped with a visible reason when there is none.
needs_browser = pytest.mark.skipif(skip_reason() is not None, reason=skip_reason() or "")


@dataclass
class PageReport:
    """What opening a page showed."""

    images: list[dict] = field(default_factory=list)  # src (shortened), naturalWidth, naturalHeight
    svgs: int = 0
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)
    title: str = ""
    text: str = ""

    @property
    def undecoded(self) -> list[dict]:
        """Images that did not decode."""
        return [i for i in self.images if not i["naturalWidth"]]


LOAD_ALL_IMAGES = """timeout => Promise.race([
    new Promise(done => setTimeout(done, timeout)),
    Promise.all([...document.images].map(img => {
        if (img.loading === "lazy") img.loading = "eager";
        return img.complete ? null : new Promise(done => {
            img.addEventListener("load", done, {once: true});
            img.addEventListener("error", done, {once: true});
        });
    })),
])"""


def inspect_page(path: Path, timeout_ms: int = 20_000) -> PageReport:
    """Open ``path`` through ``file://`` in headless Chromium and report what loaded."""
    from playwright.sync_api import sync_playwright

    url = Path(path).resolve().as_uri()
    report = PageReport()

    def route(r):
        target = r.request.url
        if target == url or target.startswith(("data:", "blob:")):
            r.continue_()
        else:
            report.outside_requests.append(target)
            r.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: report.console_errors.append(m.text) if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: report.page_errors.append(str(e)))
            page.route("**/*", route)
            page.goto(url, wait_until="load", timeout=timeout_ms)
            # "load" does not wait for loading="lazy" images out of view: load them all now, so
            # an image counts as undecoded only when it really cannot be decoded.
            page.evaluate(LOAD_ALL_IMAGES, timeout_ms)
            report.images = page.eval_on_selector_all(
                "img",
                "els => els.map(e => ({src: e.src.slice(0, 40), naturalWidth: e.naturalWidth,"
                " naturalHeight: e.naturalHeight}))",
            )
            report.svgs = page.eval_on_selector_all("svg", "els => els.length")
            report.title = page.title()
            report.text = page.inner_text("body")
        finally:
            browser.close()
    return report
