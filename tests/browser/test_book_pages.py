"""The built book as a reader sees it, in headless chromium with the network off.

- every script, stylesheet and image comes from the book itself;
- the math on the index, errata and results pages is rendered by the book's own MathJax;
- at 1300 px and at 800 px no output block is wider than its column or scrolls sideways,
  and no papermill marker is visible; a full-page screenshot of each page and width goes
  to build/screens/.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest

from .conftest import HTML, SCREENS

WIDTHS = (1300, 800)
MATH_PAGES = ("book/intro", "book/errata", "book/errata/metrics", "book/errata/v2v",
              "book/errata/rovr", "build/book/90_results")  # intro: the index
MARKERS = ("injected-parameters", "# Parameters")
SKIP = {"genindex.html", "search.html"}
EXTERNAL = re.compile(
    r"<(?:script|img|iframe|video|source)\b[^>]*\bsrc=[\"']?(?:https?:)?//"
    r"|<link\b[^>]*\bhref=[\"']?(?:https?:)?//", re.IGNORECASE)


def book_pages() -> list[str]:
    """Every content page, relative to the HTML root and without ``.html``."""
    if not HTML.is_dir():
        return ["index"]  # the ``book`` fixture then fails with the command to run
    pages = [p.relative_to(HTML).with_suffix("").as_posix() for p in HTML.rglob("*.html")
             if p.name not in SKIP and not p.relative_to(HTML).parts[0].startswith("_")
             and 'http-equiv="Refresh"' not in p.read_text(errors="replace")[:2000]]
    return sorted(pages)  # the root index.html only redirects to book/intro


def _open(browser: Any, page: str, width: int = 1300) -> None:
    browser.set_window_size(width, 1000)
    browser.get((HTML / f"{page}.html").as_uri())


def _wait_for_mathjax(browser: Any) -> str:
    if browser.execute_script("return document.querySelectorAll('.math').length") == 0:
        return "no math"
    return browser.execute_async_script("""
        const done = arguments[arguments.length - 1];
        let tries = 0;
        (function wait() {
          const mj = window.MathJax;
          if (mj && mj.startup && mj.startup.promise) {
            mj.startup.promise.then(() => done('ok'), e => done('error: ' + e));
          } else if (++tries > 100) { done(mj ? 'not started' : 'absent'); }
          else { setTimeout(wait, 100); }
        })();""")


def test_the_book_loads_nothing_from_outside(book: Path) -> None:
    offenders = []
    for path in book.rglob("*.html"):
        for match in EXTERNAL.finditer(path.read_text(errors="replace")):
            offenders.append(f"{path.relative_to(book)}: {match.group(0)[:80]}")
    assert not offenders, "external resources:\n" + "\n".join(offenders[:20])


def test_mathjax_is_served_from_the_book(book: Path) -> None:
    assert (book / "_static" / "mathjax" / "tex-chtml.js").is_file()


@pytest.mark.parametrize("page", MATH_PAGES)
def test_math_renders_offline(book: Path, browser: Any, page: str) -> None:
    if not (book / f"{page}.html").is_file():
        pytest.fail(f"{page}.html is not in the built book")
    _open(browser, page)
    formulas = browser.execute_script("return document.querySelectorAll('.math').length")
    if formulas == 0:
        return  # a page without math has nothing to render; the next test needs some
    assert _wait_for_mathjax(browser) == "ok"
    unrendered = browser.execute_script("""
        return Array.from(document.querySelectorAll('.math'))
          .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60));""")
    assert not unrendered, f"{page}: formulas MathJax did not render: {unrendered[:5]}"
    text = browser.execute_script("return document.body.innerText")
    raw = [t for t in ("\\(", "\\[", "$$") if t in text]
    assert not raw, f"{page}: raw TeX delimiters {raw} left in the visible text"


def test_the_math_pages_have_math(book: Path, browser: Any) -> None:
    total = 0
    for page in MATH_PAGES:
        _open(browser, page)
        total += browser.execute_script("return document.querySelectorAll('.math').length")
    assert total >= 3, f"only {total} formulas on {MATH_PAGES}"


OVERFLOW_JS = """
const bad = [], vw = document.documentElement.clientWidth;
if (document.documentElement.scrollWidth > vw + 2)
  bad.push('page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
const article = document.querySelector('article.bd-article');
if (article) {
  const edge = article.getBoundingClientRect().right;
  for (const el of article.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.right > edge + 2 && !el.closest('.math'))
      bad.push(el.tagName.toLowerCase() + ' reaches past the text column ('
               + Math.round(r.right) + ' > ' + Math.round(edge) + ' px)');
  }
}
for (const out of document.querySelectorAll('div.cell_output')) {
  const box = out.getBoundingClientRect();
  if (box.width === 0) continue;  // folded
  for (const el of [out, ...out.querySelectorAll('*')]) {
    const r = el.getBoundingClientRect();
    if (r.width === 0) continue;
    const st = getComputedStyle(el);
    const name = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className) : '');
    if (r.right > box.right + 2 || r.left < box.left - 2)
      bad.push(name + ' is wider than its output block (' + Math.round(r.width) + ' > '
               + Math.round(box.width) + ' px)');
    else if (['auto', 'scroll'].includes(st.overflowX) && el.scrollWidth > el.clientWidth + 2)
      bad.push(name + ' scrolls sideways (' + el.scrollWidth + ' > ' + el.clientWidth + ' px)');
  }
}
return bad.slice(0, 10);
"""


SEGMENT = 16000  # chromium draws nothing right beyond 16384 px in one capture


def _screenshot(browser: Any, path: Path) -> None:
    """The full page as a reader scrolls it, in segments of at most SEGMENT px (``name.png``,
    ``name-2.png``...). The viewport is made as tall as the page first: a capture beyond a
    short viewport drew long pages shifted sideways and without their images."""
    size = browser.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    width, height = int(size["width"]), int(size["height"])
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": min(height, SEGMENT), "deviceScaleFactor": 1,
        "mobile": False})
    try:
        for part, top in enumerate(range(0, height, SEGMENT), start=1):
            browser.execute_script(f"window.scrollTo(0, {top})")
            shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
            name = path.name if part == 1 else f"{path.stem}-{part}{path.suffix}"
            path.with_name(name).write_bytes(base64.b64decode(shot["data"]))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", book_pages())
def test_page_reads_without_sideways_scrolling(book: Path, browser: Any, page: str,
                                               width: int) -> None:
    _open(browser, page, width)
    _wait_for_mathjax(browser)
    text = browser.execute_script("return document.body.innerText")
    shown = [m for m in MARKERS if m in text]
    _screenshot(browser, SCREENS / f"{page.replace('/', '__')}-{width}.png")
    assert not shown, f"{page}: papermill plumbing visible: {shown}"
    problems = browser.execute_script(OVERFLOW_JS)
    assert not problems, f"{page} at {width} px:\n" + "\n".join(problems)


WIDE_PAGE = """<html><body style="width: 600px">
<div class="cell_output" style="width: 400px">
<pre style="overflow-x: auto; white-space: {}">{}</pre></div>
<div class="cell_output" style="width: 400px"><table><tr><td style="white-space: {}">{}</td>
</tr></table></div></body></html>"""


def test_the_overflow_check_sees_a_scrolling_block(browser: Any, tmp_path: Path) -> None:
    page = tmp_path / "wide.html"
    page.write_text(WIDE_PAGE.format("pre", "x " * 150, "nowrap", "y " * 150))
    browser.set_window_size(1300, 800)
    browser.get(page.as_uri())
    problems = browser.execute_script(OVERFLOW_JS)
    assert any(p.startswith("pre scrolls sideways") for p in problems), problems
    assert any(p.startswith("table is wider") for p in problems), problems
    page.write_text(WIDE_PAGE.format("pre-wrap", "x " * 150, "normal", "y " * 150))
    browser.get(page.as_uri())
    assert browser.execute_script(OVERFLOW_JS) == []
