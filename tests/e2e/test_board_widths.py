"""The public board in a real browser: progress bars by lead unit take the content column's
width on a phone (360 px) and on a desktop (1280 px), never a fixed width."""
from __future__ import annotations

import pytest

from .helpers import no_horizontal_scroll

pytestmark = pytest.mark.browser

MEASURE = """() => {
  const list = document.querySelector('ul.unit-bars');
  const column = list.parentElement.getBoundingClientRect().width;
  const tracks = [...list.querySelectorAll('.unit-bar-track')].map(t => t.getBoundingClientRect().width);
  const fills = [...list.querySelectorAll('.unit-bar-track .bar-fill')].map(f =>
      f.getBoundingClientRect().width / f.parentElement.getBoundingClientRect().width);
  return {column, tracks, fills};
}"""


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("elder", [False, True])
def test_unit_bars_fill_the_column_at_360_and_1280(chromium_browser, live_server, seeded,
                                                   width, elder):
    context = chromium_browser.new_context(viewport={"width": width, "height": 900},
                                           locale="zh-CN")
    if elder:
        context.add_cookies([{"name": "elder", "value": "1", "url": live_server}])
    page = context.new_page()
    try:
        page.goto(f"{live_server}/board")
        found = page.evaluate(MEASURE)
        assert found["tracks"], "no unit bars on the board"
        # each track spans the content column (less its 1 px borders), whatever the screen
        assert all(abs(t - found["column"]) <= 2 for t in found["tracks"]), found
        assert found["column"] > (0.6 * width if width > 400 else 300), found
        # the seed's units have every item completed: full bars
        assert all(abs(f - 1) < 0.02 for f in found["fills"]), found
        assert no_horizontal_scroll(page)
        page.screenshot(path=f"/tmp/h8-board-{width}{'-elder' if elder else ''}.png",
                        full_page=False)
    finally:
        context.close()
