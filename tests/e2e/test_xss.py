"""Script payloads in everything a user can write, rendered in real Chromium: none ever runs.

The payloads set ``window.__pwned``; the test walks the pages that show them (workspace, run
page with config, notes, tags, summary, image captions and file names; the plain overview) and
asserts the flag stays unset, that the text is shown as text, and that the page needed no
Content-Security-Policy exception (so the SPA works under the strict policy).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from playwright.sync_api import Page, expect

import epochal

if TYPE_CHECKING:
    from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
SVG = '"><svg onload="window.__pwned=1">'
LINK = "javascript:window.__pwned=1"
PAYLOADS = (IMG, SCRIPT, SVG, LINK)


def pwned(page: Page) -> object:
    return page.evaluate("() => window.__pwned")


def test_user_text_never_runs_as_script(live_server: LiveServer, sdk_env: Path, page: Page) -> None:
    violations: list[str] = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    hostile_file = sdk_env / "evil.html"
    hostile_file.write_text(SCRIPT)
    run = epochal.init(
        entity="xss",
        project="payloads",
        name=SVG,
        notes=IMG,
        tags=[SCRIPT, LINK],
        config={IMG: SCRIPT, "url": LINK, "nested": {SVG: IMG}},
    )
    for step in range(3):
        pixels = np.full((8, 8, 3), 40 * step, dtype=np.uint8)
        epochal.log({"loss": 1 / (step + 1), IMG: float(step), "samples": epochal.Image(pixels, caption=SCRIPT + IMG)})
    epochal.save(str(hostile_file))
    run.summary[SCRIPT] = IMG
    run.summary["text"] = SVG
    run.finish()

    page.goto(f"{live_server.url}/xss/payloads")
    row = page.locator(f"tr[data-run-id='{run.id}']")
    expect(row).to_be_visible()
    expect(row.locator("td[data-column='name']")).to_contain_text(SVG)
    assert pwned(page) is None

    row.locator("td[data-column='name'] a").click()
    expect(page.locator(".run-page")).to_be_visible()
    expect(page.locator("[data-testid='config']")).to_contain_text(SCRIPT)
    media = page.locator("[data-media-key='samples']")
    expect(media.locator("figcaption")).to_have_text(SCRIPT + IMG)
    expect(page.locator("tr[data-file='evil.html']")).to_be_visible()
    page.wait_for_timeout(500)  # let any injected handler (an image error, say) fire
    assert pwned(page) is None

    page.goto(f"{live_server.url}/plain")
    expect(page.locator("body")).to_contain_text(SVG)
    page.wait_for_timeout(300)
    assert pwned(page) is None
    assert not violations, f"the pages needed a CSP exception (or tried to run a payload): {violations}"
