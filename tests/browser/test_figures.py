"""Every figure the notebooks drew at ``smoke`` is readable (rlvid.book.figure_check): no two
labels overlap, no label or title falls outside its figure, no data panel is narrower than
150 px at the book's width, no legend covers data points.

Reads the reports that ``rlvid.book.notebooks.run_notebook`` wrote beside the executed notebooks
(``build/smoke/figures/<notebook>.jsonl``), so it runs after ``make notebooks PROFILE=smoke``.
"""

from __future__ import annotations

import json

import pytest

from rlvid.book.notebooks import notebook_sources
from rlvid.paths import build_root

REPORTS = build_root("smoke") / "figures"


@pytest.mark.parametrize("notebook", [p.stem for p in notebook_sources()])
def test_every_figure_of_the_notebook_is_readable(notebook: str) -> None:
    report = REPORTS / f"{notebook}.jsonl"
    if not report.is_file():
        pytest.fail(f"no figure report {report}; run: make notebooks PROFILE=smoke")
    entries = [json.loads(line) for line in report.read_text().splitlines()]
    bad = [f"cell {e['cell']}, {e['figure']!r}: {p}" for e in entries for p in e["problems"]]
    assert not bad, f"{notebook}: {len(bad)} problem(s)\n" + "\n".join(bad)
