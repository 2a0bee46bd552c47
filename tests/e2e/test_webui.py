"""The web UI end to end: real trainings through the SDK, a real server, real Chromium.

What a user relies on: the workspace shows every run's config and summary, one line per run in
every chart, sorting, filtering and hiding work, a new run's points arrive without a reload, and a
run page hands back the saved model byte for byte and shows images step by step.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest
from playwright.sync_api import Page, expect

import epochal

if TYPE_CHECKING:  # fixtures' types; conftest modules are not imported at run time
    from tests.conftest import LiveServer
    from tests.e2e.conftest import Screenshots

pytestmark = pytest.mark.browser

ENTITY = "e2e"
PROJECT = "vision"
STEPS = 60
LIVE_TIMEOUT_MS = 15_000
METRICS = ("train/acc", "train/loss", "val/loss")


def train(name: str, lr: float, best_acc: float, *, finish: bool = True) -> epochal.Run:
    """A small training loop through the public SDK, as a user writes it."""
    run = epochal.init(entity=ENTITY, project=PROJECT, name=name, config={"lr": lr, "model": {"depth": 18}})
    log_steps(0, STEPS, lr)
    run.summary["best_acc"] = best_acc
    if finish:
        run.finish()
    return run


def log_steps(start: int, stop: int, lr: float) -> None:
    """Rows at steps start..stop-1; without ``step=`` each log() commits its row at once."""
    for step in range(start, stop):
        row = {"train/loss": math.exp(-lr * step), "train/acc": 1 - math.exp(-lr * step)}
        if step % 5 == 0:
            row["val/loss"] = math.exp(-lr * step) + 0.1
        epochal.log(row)


def table_names(page: Page) -> list[str]:
    return page.locator("tr.run-row td[data-column='name']").all_inner_texts()


def chart(page: Page, key: str) -> str:
    return f".chart-panel[data-key='{key}'] .line-chart"


def test_workspace_table_charts_filters_and_live_points(
    live_server: LiveServer, sdk_env: Path, page: Page, screenshots: Screenshots
) -> None:
    alpha = train("alpha", lr=0.1, best_acc=0.9)
    beta = train("beta", lr=0.03, best_acc=0.7)
    train("gamma", lr=0.01, best_acc=0.8)

    page.goto(f"{live_server.url}/{ENTITY}/{PROJECT}")
    expect(page.locator("tr.run-row")).to_have_count(3)
    for column in ("config.lr", "config.model.depth", "summary.best_acc", "summary.train/loss"):
        expect(page.locator(f"th[data-column='{column}']")).to_be_visible()
    expect(page.locator(f"tr[data-run-id='{alpha.id}'] td[data-column='config.lr']")).to_have_text("0.1")
    expect(page.locator(f"tr[data-run-id='{beta.id}'] td[data-column='summary.best_acc']")).to_have_text("0.7")

    expect(page.locator(".chart-panel")).to_have_count(len(METRICS))
    for key in METRICS:
        expect(page.locator(chart(page, key))).to_have_attribute("data-lines", "3")
    screenshots.take(page, "workspace")

    header = page.locator("th[data-column='summary.best_acc']")
    header.click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert table_names(page) == ["beta", "gamma", "alpha"]
    header.click()
    expect(header).to_have_attribute("aria-sort", "descending")
    assert table_names(page) == ["alpha", "gamma", "beta"]
    assert "sort=-summary.best_acc" in page.url, "the sort must be in the URL so a link shows the same view"

    page.keyboard.press("/")
    page.keyboard.type("config.lr < 0.05 and state = finished")
    expect(page.locator("tr.run-row")).to_have_count(2)
    assert sorted(table_names(page)) == ["beta", "gamma"]
    expect(page.locator(chart(page, "train/loss"))).to_have_attribute("data-lines", "2")
    page.locator(".filter-input").fill("")
    expect(page.locator("tr.run-row")).to_have_count(3)

    page.locator(f"tr[data-run-id='{beta.id}'] button.eye").click()
    for key in METRICS:
        expect(page.locator(chart(page, key))).to_have_attribute("data-lines", "2")
    expect(page.locator(f"{chart(page, 'train/loss')} .legend-item[data-run-id='{beta.id}']")).to_have_count(0)
    page.locator(f"tr[data-run-id='{beta.id}'] button.eye").click()
    expect(page.locator(chart(page, "train/loss"))).to_have_attribute("data-lines", "3")

    # A fourth run trains while the page is open: its row and points arrive without a reload.
    page.evaluate("window.__notReloaded = true")
    delta = epochal.init(entity=ENTITY, project=PROJECT, name="delta", config={"lr": 0.2})
    log_steps(0, 20, lr=0.2)
    legend = page.locator(f"{chart(page, 'train/loss')} .legend-item[data-run-id='{delta.id}']")
    expect(legend).to_have_attribute("data-last-step", "19", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator(f"tr[data-run-id='{delta.id}'] td[data-column='state']")).to_have_text("running")
    log_steps(20, 45, lr=0.2)
    expect(legend).to_have_attribute("data-last-step", "44", timeout=LIVE_TIMEOUT_MS)
    expect(page.locator(chart(page, "train/loss"))).to_have_attribute("data-lines", "4")
    delta.finish()
    expect(page.locator(f"tr[data-run-id='{delta.id}'] td[data-column='state']")).to_have_text(
        "finished", timeout=LIVE_TIMEOUT_MS
    )
    assert page.evaluate("window.__notReloaded") is True


def test_run_page_downloads_the_model_and_steps_through_images(
    live_server: LiveServer, sdk_env: Path, page: Page, screenshots: Screenshots
) -> None:
    model = sdk_env / "model.pt"
    model.write_bytes(bytes(range(256)) * 64 + b"weights")
    run = epochal.init(entity=ENTITY, project=PROJECT, name="with-media", config={"lr": 0.01})
    for step in range(30):
        row: dict[str, object] = {"train/loss": 1 / (step + 1)}
        if step in (5, 20):
            pixels = np.full((8, 8, 3), step * 10, dtype=np.uint8)
            row["samples"] = epochal.Image(pixels, caption=f"sample at {step}")
        epochal.log(row)
    epochal.save(str(model))
    run.finish()

    page.goto(f"{live_server.url}/{ENTITY}/{PROJECT}")
    page.locator(f"tr[data-run-id='{run.id}'] td[data-column='name'] a").click()
    expect(page.locator(".run-page")).to_be_visible()
    expect(page.locator("[data-testid='config']")).to_contain_text("0.01")
    expect(page.locator(chart(page, "train/loss"))).to_have_attribute("data-lines", "1")

    with page.expect_download() as download:
        page.locator("tr[data-file='model.pt'] a").click()
    assert Path(download.value.path()).read_bytes() == model.read_bytes()

    media = page.locator("[data-media-key='samples']")
    slider = media.locator("input[type='range']")
    seen: list[str] = []
    for index, step in ((0, 5), (1, 20)):
        slider.fill(str(index))
        expect(media.locator("[data-testid='media-step']")).to_have_text(f"step {step}")
        expect(media.locator("figcaption")).to_have_text(f"sample at {step}")
        image = media.locator("img")
        expect(image).to_have_js_property("naturalWidth", 8)
        seen.append(str(image.get_attribute("data-sha256")))
    assert seen[0] != seen[1], "two steps must show two different images"
    screenshots.take(page, "run-page")
