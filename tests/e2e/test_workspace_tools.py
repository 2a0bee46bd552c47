"""The workspace's tools end to end: grouping, columns, selection, renaming, the x axis, hand-made
charts, the media panel, and what the page says when the server goes away or answers an error.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import numpy as np
import pytest
from playwright.sync_api import Page, expect

import epochal

if TYPE_CHECKING:
    from tests.conftest import LiveServer
    from tests.e2e.conftest import Screenshots

pytestmark = pytest.mark.browser

ENTITY = "e2e"
PROJECT = "tools"
LIVE_TIMEOUT_MS = 15_000


def train(name: str, opt: str, lr: float, acc: float, *, images: bool = False) -> epochal.Run:
    run = epochal.init(entity=ENTITY, project=PROJECT, name=name, config={"opt": opt, "lr": lr})
    for step in range(20):
        row: dict[str, object] = {"train/loss": math.exp(-lr * step), "train/acc": 1 - math.exp(-lr * step)}
        if images and step in (4, 12):
            pixels = np.full((6, 6, 3), int(lr * 1000) + step, dtype=np.uint8)
            row["samples"] = epochal.Image(pixels, caption=f"{name} at {step}")
        epochal.log(row)
    run.summary["acc"] = acc
    run.finish()
    return run


def names(page: Page) -> list[str]:
    return page.locator("tr.run-row td[data-column='name'] a").all_inner_texts()


def workspace(live_server: LiveServer) -> str:
    return f"{live_server.url}/{ENTITY}/{PROJECT}"


def test_group_columns_filters_selection_and_rename(live_server: LiveServer, sdk_env: Path, page: Page) -> None:
    a = train("adam-fast", "adam", 0.1, 0.9)
    train("sgd", "sgd", 0.01, 0.5)
    c = train("adam-slow", "adam", 0.03, 0.7)
    page.goto(workspace(live_server))
    expect(page.locator("tr.run-row")).to_have_count(3)

    # Group by the optimiser: one line per value with the runs' count and the mean of numeric columns.
    page.locator("select.group-by").select_option("config.opt")
    adam = page.locator("tr.group-row[data-group='adam']")
    expect(adam).to_contain_text("2")
    expect(adam.locator("td[data-column='summary.acc'] .aggregate")).to_have_attribute("data-mean", "0.8")
    expect(page.locator("tr.group-row[data-group='sgd'] td[data-column='summary.acc'] .aggregate")).to_have_attribute(
        "data-mean", "0.5"
    )
    adam.locator("button").first.click()
    expect(page.locator("tr.run-row")).to_have_count(1)
    assert "group=config.opt" in page.url
    adam.locator("button").first.click()
    expect(page.locator("tr.run-row")).to_have_count(3)
    page.locator("select.group-by").select_option("")

    # Choose columns: hide one, move one to the front, pin another.
    page.locator("button.choose-columns").click()
    page.locator("[data-chooser-column='tags'] input[type='checkbox']").uncheck()
    expect(page.locator("th[data-column='tags']")).to_have_count(0)
    move_up = page.locator("[data-chooser-column='summary.acc'] button.move-up")
    while move_up.is_enabled():
        move_up.click()
    header_ids = page.locator("thead tr:first-child th[data-column]")
    expect(header_ids.first).to_have_attribute("data-column", "summary.acc")
    page.locator("[data-chooser-column='config.lr'] button.pin").click()
    expect(header_ids.first).to_have_attribute("data-column", "config.lr")
    expect(page.locator("th[data-column='config.lr']")).to_have_class("pinned")
    page.keyboard.press("Escape")
    expect(page.locator(".column-chooser")).to_have_count(0)

    # The layout is stored per project: the plain link brings it back.
    page.goto(workspace(live_server))
    expect(header_ids.first).to_have_attribute("data-column", "config.lr")
    expect(page.locator("th[data-column='tags']")).to_have_count(0)

    # Per-column filters: an operator compares, plain text matches contained text.
    lr_filter = page.locator("input[data-filter-column='config.lr']")
    lr_filter.fill("< 0.05")
    expect(page.locator("tr.run-row")).to_have_count(2)
    page.locator("input[data-filter-column='config.opt']").fill("ada")
    expect(page.locator("tr.run-row")).to_have_count(1)
    assert names(page) == ["adam-slow"]
    lr_filter.fill("")
    page.locator("input[data-filter-column='config.opt']").fill("")
    expect(page.locator("tr.run-row")).to_have_count(3)

    # Select two runs and show only those.
    for run in (a, c):
        page.locator(f"tr[data-run-id='{run.id}'] input.select-run").check()
    page.locator("input.only-selected").check()
    expect(page.locator("tr.run-row")).to_have_count(2)
    assert sorted(names(page)) == ["adam-fast", "adam-slow"]
    expect(page.locator(".chart-panel[data-key='train/loss'] .line-chart")).to_have_attribute("data-lines", "2")

    # Rename in place: saved on the server (a fresh page shows it).
    row = page.locator(f"tr[data-run-id='{a.id}']")
    row.hover()
    row.locator("button.edit-name").click()
    row.locator("input.name-input").fill("adam-renamed")
    row.locator("input.name-input").press("Enter")
    expect(row.locator("td[data-column='name'] a")).to_have_text("adam-renamed")
    page.reload()
    expect(page.locator(f"tr[data-run-id='{a.id}'] td[data-column='name'] a")).to_have_text("adam-renamed")


def test_x_axis_by_wall_time_and_hand_made_chart(
    live_server: LiveServer, sdk_env: Path, page: Page, screenshots: Screenshots
) -> None:
    one, _, _ = (train(name, "adam", lr, lr) for name, lr in (("one", 0.1), ("two", 0.05), ("three", 0.02)))
    page.goto(workspace(live_server))
    chart = page.locator(".chart-panel[data-key='train/loss'] .line-chart")
    expect(chart).to_have_attribute("data-lines", "3")

    # The API sends each point's wall time beside it, exactly the history rows' `_timestamp`.
    project_api = f"{live_server.url}/api/v1/projects/{ENTITY}/{PROJECT}"
    rows = httpx.get(f"{project_api}/runs/{one.id}/history", params={"keys": "train/loss"}).json()["rows"]
    series = httpx.get(
        f"{project_api}/series", params={"run": one.id, "key": "train/loss", "x_key": "_timestamp"}
    ).json()
    assert series["lines"][0]["x"] == [row["_timestamp"] for row in rows]

    page.locator("select.x-axis").select_option("_timestamp")
    expect(chart).to_have_attribute("data-x-kind", "time")
    expect(chart).to_have_attribute("data-lines", "3")
    # The x values are the rows' wall-clock times (epoch seconds), not steps.
    assert float(str(chart.get_attribute("data-max-step"))) > 1_000_000_000
    assert "x=_timestamp" in page.url
    page.reload()
    expect(page.locator("select.x-axis")).to_have_value("_timestamp")
    expect(chart).to_have_attribute("data-lines", "3")

    page.locator("select.x-axis").select_option("train/acc")
    expect(chart).to_have_attribute("data-x-kind", "value")
    expect(chart).to_have_attribute("data-lines", "3")
    page.locator("select.x-axis").select_option("_step")
    expect(chart).to_have_attribute("data-max-step", "19")

    # Drag to zoom: the exact data of the range replaces the full curve; double-click resets.
    over = page.locator(".chart-panel[data-panel='train/loss'] .u-over")
    chart.scroll_into_view_if_needed()  # not ``over``: uPlot may rebuild it (a new element) once more
    box = over.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] / 2, steps=4)
    page.mouse.up()
    expect(page.locator(".chart-panel[data-panel='train/loss'] .chart-title")).to_contain_text("reset")
    expect(chart).not_to_have_attribute("data-max-step", "19")
    assert int(str(chart.get_attribute("data-max-step"))) <= 12
    over.dblclick()
    expect(chart).to_have_attribute("data-max-step", "19")

    # A chart added by hand draws two keys for every run.
    page.locator("button.add-panel-button").click()
    page.locator("input[data-panel-key='train/loss']").check()
    page.locator("input[data-panel-key='train/acc']").check()
    page.locator("button.create-panel").click()
    custom = page.locator(".chart-panel[data-panel='custom:0']")
    expect(custom.locator(".line-chart")).to_have_attribute("data-lines", "6")
    expect(custom.locator(".legend-item[data-key='train/acc']")).to_have_count(3)

    # Panels collapse and widen; the layout is in the URL.
    panel = page.locator(".chart-panel[data-panel='train/acc']")
    panel.locator("button.collapse-panel").click()
    expect(panel.locator(".line-chart")).to_have_count(0)
    page.locator(".chart-panel[data-panel='train/loss'] button.widen-panel").click()
    expect(page.locator(".chart-panel[data-panel='train/loss']")).to_have_class("chart-panel wide")
    page.reload()
    expect(page.locator(".chart-panel[data-panel='train/acc'] .line-chart")).to_have_count(0)
    expect(page.locator(".chart-panel[data-panel='custom:0'] .line-chart")).to_have_attribute("data-lines", "6")
    screenshots.take(page, "workspace-tools")


def test_media_panel_shows_each_runs_images_at_a_step(live_server: LiveServer, sdk_env: Path, page: Page) -> None:
    first = train("pics-a", "adam", 0.1, 0.1, images=True)
    second = train("pics-b", "adam", 0.2, 0.2, images=True)
    page.goto(workspace(live_server))
    media = page.locator(".media-panel[data-media-key='samples']")
    expect(media.locator("[data-testid='media-panel-step']")).to_have_text("step 12")
    slider = media.locator("input[type='range']")
    for index, step in ((0, 4), (1, 12)):
        slider.fill(str(index))
        expect(media.locator("[data-testid='media-panel-step']")).to_have_text(f"step {step}")
        for run, name in ((first, "pics-a"), (second, "pics-b")):
            cell = media.locator(f".media-run[data-run-id='{run.id}']")
            expect(cell).to_have_attribute("data-step", str(step))
            expect(cell.locator("figcaption")).to_have_text(f"{name} at {step}")
            expect(cell.locator("img")).to_have_js_property("naturalWidth", 6)


def test_reconnecting_badge_and_api_errors_are_shown(live_server: LiveServer, sdk_env: Path, page: Page) -> None:
    train("only", "adam", 0.1, 0.5)
    page.goto(workspace(live_server))
    badge = page.locator(".live-badge")
    expect(badge).to_have_attribute("data-status", "live")
    live_server.stop(kill=True)
    expect(badge).to_have_attribute("data-status", "reconnecting", timeout=LIVE_TIMEOUT_MS)
    expect(badge).to_have_text("reconnecting…")
    live_server.start()
    expect(badge).to_have_attribute("data-status", "live", timeout=LIVE_TIMEOUT_MS)

    page.goto(f"{workspace(live_server)}/runs/no-such-run")
    alert = page.locator("[role='alert']").first
    expect(alert).to_contain_text("not_found")
    expect(alert).to_contain_text("HTTP 404")
