"""The built book states the committed verdicts first: the intro ends with "What we found",
computed from results/cpu/claims.json, and the results page shows the committed verdicts
before this build's own, which are folded."""

from __future__ import annotations

import html
import re
from pathlib import Path

from rlvid.book.findings import counts_sentence, load
from rlvid.paths import reference_path

from .conftest import HTML


def _text(page: str) -> str:
    markup = (HTML / f"{page}.html").read_text()
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def test_the_intro_says_what_we_found_per_paper(book: Path) -> None:
    text = " ".join(_text("book/intro").split())
    claims = load(reference_path("claims", "cpu"))
    assert "What we found" in text
    for paper in dict.fromkeys(c["paper"] for c in claims):
        mine = [c for c in claims if c["paper"] == paper]
        assert f"{paper} ({counts_sentence(mine)})" in text


def test_the_results_page_opens_with_the_committed_verdicts(book: Path) -> None:
    markup = (HTML / "build/book/90_results.html").read_text()
    committed = markup.index("The committed verdicts")
    own = markup.index('id="this-build-s-own-verdicts"')
    assert committed < markup.index("Verdicts:") < own
    assert "tag_hide-output" in markup[own:]  # this build's verdicts are folded
