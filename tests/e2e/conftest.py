"""Browser fixtures: real headless Chromium (Debian's package) driven by Playwright.

The web UI must be built first (``cd web && npm ci && npm run build``); the server serves it from
``src/epochal/server/webui``. ``--screenshots`` saves the pages the tests visit into ``docs/img``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

REPO = Path(__file__).resolve().parents[2]
WEBUI_INDEX = REPO / "src" / "epochal" / "server" / "webui" / "index.html"
SCREENSHOT_DIR = REPO / "docs" / "img"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--screenshots", action="store_true", default=False, help="save web UI screenshots into docs/img/")


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is not installed: apt-get install chromium (the e2e tests drive it)")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not WEBUI_INDEX.is_file():
        raise RuntimeError(f"the web UI is not built ({WEBUI_INDEX} missing): cd web && npm ci && npm run build")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context at a 1280px laptop size; page errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(10_000)
    try:
        yield page
    finally:
        context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


class Screenshots:
    """Saves full-page PNGs into docs/img/ when the run asked for them."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def take(self, page: Page, name: str) -> None:
        if self.enabled:
            SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT_DIR / f"{name}.png"), full_page=True)


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Screenshots:
    return Screenshots(bool(request.config.getoption("--screenshots")))
