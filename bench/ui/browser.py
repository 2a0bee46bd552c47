"""Measurements in real Chromium (Playwright), read from marks the app sets (chart/paintTracker.ts).

- first charts: navigation start → every chart in the viewport painted with every run's line
  (``window.__epochalChartsPainted``, milliseconds since navigation start);
- zoom: mouse-up of a drag on a chart → the chart redrawn over the range from the points it
  has (``window.__epochalZoomPreviewPainted``), and → repainted with the range's exact data
  fetched from the server (``window.__epochalZoomPainted``);
- table sort: click on a column header → the 5,000-row table sorted, rendered and painted.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, Page, ViewportSize, sync_playwright

VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
TIMEOUT_MS = 120_000

_VISIBLE_CHARTS_DONE = """(lines) => {
  if (window.__epochalChartsPainted === undefined) return false;
  const charts = [...document.querySelectorAll('.chart-panel .line-chart')].filter((el) => {
    const box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  });
  return charts.length > 0 && charts.every((el) => el.dataset.lines === String(lines));
}"""

_VISIBLE_CHART_COUNT = """() => [...document.querySelectorAll('.chart-panel .line-chart')].filter((el) => {
  const box = el.getBoundingClientRect();
  return box.bottom > 0 && box.top < window.innerHeight;
}).length"""

_SORT = """async (column) => {
  const header = document.querySelector(`th[data-column="${column}"]`);
  const start = performance.now();
  header.click();
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
  return performance.now() - start;
}"""


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise RuntimeError("Chromium is not installed: apt-get install chromium")


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def fresh_page(browser: Browser) -> Iterator[Page]:
    """A new context each time: no stored workspace settings, no HTTP cache."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    try:
        yield page
    finally:
        context.close()


def first_charts_ms(browser: Browser, url: str, lines: int) -> tuple[float, int]:
    """Milliseconds from navigation to all charts in view painted, and how many charts that was."""
    with fresh_page(browser) as page:
        page.goto(url)
        page.wait_for_function(_VISIBLE_CHARTS_DONE, arg=lines, timeout=TIMEOUT_MS)
        return float(page.evaluate("window.__epochalChartsPainted")), int(page.evaluate(_VISIBLE_CHART_COUNT))


def zoom_ms(browser: Browser, url: str, lines: int, repeat: int) -> tuple[list[float], list[float]]:
    """Drag-to-zoom on the first chart, `repeat` times (double-click resets in between).

    Returns the milliseconds to the first redraw and to the exact data painted.
    """
    previews: list[float] = []
    samples: list[float] = []
    with fresh_page(browser) as page:
        page.goto(url)
        page.wait_for_function(_VISIBLE_CHARTS_DONE, arg=lines, timeout=TIMEOUT_MS)
        page.evaluate("window.addEventListener('mouseup', () => { window.__benchMouseUp = performance.now(); }, true)")
        over = page.locator(".chart-panel .u-over").first
        box = over.bounding_box()
        assert box is not None
        y = box["y"] + box["height"] / 2
        for i in range(repeat):
            left = box["x"] + box["width"] * (0.2 + 0.05 * i)
            page.mouse.move(left, y)
            page.mouse.down()
            page.mouse.move(left + box["width"] * 0.3, y, steps=5)
            page.mouse.up()
            page.wait_for_function(
                "() => window.__epochalZoomPainted !== undefined && window.__epochalZoomPainted > window.__benchMouseUp"
            )
            samples.append(float(page.evaluate("window.__epochalZoomPainted - window.__benchMouseUp")))
            previews.append(float(page.evaluate("window.__epochalZoomPreviewPainted - window.__benchMouseUp")))
            over.dblclick()
            page.wait_for_function(_VISIBLE_CHARTS_DONE, arg=lines, timeout=TIMEOUT_MS)
    return previews, samples


def table_sort_ms(browser: Browser, url: str, rows: int, column: str, repeat: int) -> list[float]:
    """Clicks a header (ascending, descending, unsorted, ...) and times sort + render + paint."""
    samples: list[float] = []
    with fresh_page(browser) as page:
        page.goto(url)
        page.wait_for_function(
            "(rows) => document.querySelector('[data-testid=run-count]')?.textContent?.startsWith(`${rows} of`)",
            arg=rows,
        )
        for _ in range(repeat):
            samples.append(float(page.evaluate(_SORT, column)))
        header = page.locator(f"th[data-column='{column}']")
        if header.get_attribute("aria-sort") == "none":
            samples.append(float(page.evaluate(_SORT, column)))
        first = page.locator("tr.run-row").first.get_attribute("data-run-id")
        if not first:
            raise RuntimeError("the sorted table shows no rows")
    return samples
