"""The one table helper: number formats, best cells, reference rows, width, claim cards."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from rlvid.book.display import MAX_WIDTH_PX, Stat, fmt, html_table, show_table, stats
from rlvid.book.html_blocks import bullet_list, claim_cards, definitions
from rlvid.results import t_interval


@pytest.mark.parametrize(
    "value, text",
    [
        (0.0028006, "0.00280"),
        (26.0312, "26.0"),
        (0.46465, "0.465"),
        (9.996, "10.0"),
        (0.99996, "1.00"),
        (-0.01234, "-0.0123"),
        (16933, "16,933"),  # integers (the papers' numbers) in full
        (16933.4, "16933"),
        (1.5e-6, "1.50e-06"),
        (123456.0, "1.23e+05"),
        (0.0, "0"),
        (math.nan, "–"),
        (math.inf, "∞"),
        (None, "–"),
        (True, "yes"),
        ("text", "text"),
        (Stat(0.92, 0.02), "0.920 ± 0.020"),
        (Stat(26.0312, 0.46465), "26.03 ± 0.46"),
        (Stat(0.0028006, 0.00024), "0.00280 ± 0.00024"),
        (Stat(19827, 1655), "19,827 ± 1,655"),
        (Stat(0.5, None), "0.500"),
        (Stat(0.5, math.nan), "0.500"),
    ],
)
def test_numbers_to_their_precision(value, text):
    assert fmt(value) == text


def _cells(markup: str) -> list[list[str]]:
    """Text of each body row's cells (tags stripped), reference rows included."""
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", markup)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in rows if "<td" in r]


ROWS = [
    {"method": "rlv2v", "ssim": Stat(0.90, 0.01), "ewarp": 0.30, "note": "ours"},
    {"method": "recycle", "ssim": Stat(0.95, 0.02), "ewarp": 0.20, "note": "baseline"},
    {"method": "cyclegan", "ssim": Stat(0.40, 0.05), "ewarp": 0.25, "note": "frame-based"},
]
REFERENCE = [{"method": "twin (upper bound)", "ssim": 1.0, "ewarp": 0.01, "note": "truth"}]


def test_best_marks_the_right_cell_for_max_and_min_columns():
    t = html_table(ROWS, reference_rows=REFERENCE, best={"ssim": "max", "ewarp": "min"})
    assert t.best_cells == {(1, "ssim"), (1, "ewarp")}  # recycle; the twin is never best
    markup = t.html
    best = re.findall(r'<strong class="rlvid-best">(.*?)</strong>', markup)
    assert [re.sub(r"<[^>]+>", "", b) for b in best] == ["0.950 ± 0.020", "0.200"]
    assert "ssim ↑" in markup and "ewarp ↓" in markup
    assert "0.950 ± 0.020*" in str(t)


def test_best_accepts_higher_lower_and_marks_ties():
    rows = [{"m": "a", "x": 1.0}, {"m": "b", "x": 2.0}, {"m": "c", "x": 2.0}]
    assert html_table(rows, best={"x": "higher"}).best_cells == {(1, "x"), (2, "x")}
    assert html_table(rows, best={"x": "lower"}).best_cells == {(0, "x")}
    with pytest.raises(ValueError, match="best names columns"):
        html_table(rows, best={"y": "max"})
    with pytest.raises(ValueError, match="direction"):
        html_table(rows, best={"x": "largest"})


def test_reference_rows_are_set_apart():
    markup = html_table(ROWS, reference_rows=REFERENCE, caption="Table 2").html
    assert markup.count('class="rlvid-ref"') == 1
    assert 'class="rlvid-reference"' in markup and "font-style:italic" in markup
    assert "reference (not a trained method)" in markup
    cells = _cells(markup)
    assert cells[-1][0] == "twin (upper bound)"  # after the trained rows
    # code keys read as display names (rlvid.book.names)
    assert [c[0] for c in cells[:3]] == ["RL-V2V-GAN", "Recycle-GAN", "CycleGAN (frames)"]
    assert "<caption" in markup and "Table 2" in markup


def test_columns_select_rename_and_text_wraps():
    t = html_table(ROWS, columns={"method": "method", "ssim": "SSIM vs twin ↑"})
    markup = t.html
    assert "ewarp" not in markup and "SSIM vs twin ↑" in markup
    assert "SSIM vs twin ↑ ↑" not in markup  # no second arrow
    long = html_table([{"a": "a long sentence that wraps in its cell"}]).html
    assert "white-space:normal;word-break:break-word" in long  # long text wraps
    assert "white-space:nowrap" in markup  # numbers do not


def test_html_is_self_contained():
    markup = html_table(ROWS, reference_rows=REFERENCE, best={"ssim": "max"}).html
    assert not re.search(r"https?://|<script|<link|@import|src=", markup)


def test_wide_tables_are_split_to_fit_the_column():
    metrics = [f"metric_{k}" for k in range(9)]
    rows = [{"method": f"method {i}", **{m: Stat(0.123 + i, 0.0456) for m in metrics}}
            for i in range(4)]
    t = html_table(rows, caption="wide")
    assert t.estimated_width() > MAX_WIDTH_PX
    groups = t._column_groups()
    assert len(groups) >= 2
    assert all(g[0].key == "method" for g in groups)  # the label column repeats
    assert sorted(c.key for g in groups for c in g[1:]) == sorted(metrics)
    assert all(sum(t.column_width(c) for c in g) <= MAX_WIDTH_PX for g in groups)
    markup = t.html
    assert markup.count("<table") == len(groups)
    assert f"wide (1/{len(groups)})" in markup


def test_narrow_tables_stay_whole():
    t = html_table(ROWS, reference_rows=REFERENCE)
    assert t.estimated_width() <= MAX_WIDTH_PX
    assert t.html.count("<table") == 1


def test_stats_reads_aggregated_rows_and_scales():
    row = {"method": "a", "ewarp_mean": 0.002, "ewarp_std": 0.0005, "ssim": 0.5}
    got = stats(row, ["ewarp", "ssim", "missing"], scale={"ewarp": 1e3})
    assert got["ewarp"] == Stat(2.0, 0.5)
    assert got["ssim"] == 0.5  # no spread: a plain number (a reference row)
    assert "missing" not in got


def test_show_table_displays_html_and_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    show_table(ROWS, caption="c")
    assert len(shown) == 1
    assert shown[0]._repr_html_().startswith('<div class="rlvid-table-block"')
    assert str(shown[0]).splitlines()[0] == "c"


def test_claim_cards_and_text_blocks():
    claims = [{"id": "R1a", "paper": "ROVR", "where": "§7.1, Table 1",
               "statement": "best < random < worst", "paper_value": "16,933 < 19,827",
               "metric": "hidden_mse", "effect": 0.0006, "ci95": [0.0002, 0.001],
               "n_seeds": 5, "wins": 5, "control": "random", "compute_ratio": 1.0,
               "profile": "cpu", "verdict": "reproduced", "reason": "as in the paper"},
              {"paper": "RL-V2V-GAN", "where": "§6", "statement": "x", "paper_value": "",
               "effect": None, "verdict": "not comparable", "reason": "proprietary"}]
    block = claim_cards(claims)
    markup = block._repr_html_()
    assert markup.count('class="rlvid-claim') == 2
    assert "rlvid-verdict-reproduced" in markup and "rlvid-verdict-not-comparable" in markup
    assert "<dl" in markup and "Why this verdict" in markup
    assert "[reproduced] R1a · ROVR · §7.1, Table 1 (profile cpu)" in str(block)
    assert "+0.0006 on hidden_mse, 95% CI [+0.0002, +0.001]; 5 of 5 seeds" in str(block)
    assert "Ours" not in str(block).split("proprietary")[0].split("[not comparable]")[1]
    assert "<li" in bullet_list(["a < b", "c"])._repr_html_()
    assert "a &lt; b" in bullet_list(["a < b"])._repr_html_()
    assert "<dt" in definitions({"flow": "OpenCV DIS"})._repr_html_()


def test_t_interval_known_answer():
    mean, half = t_interval([1.0, 2.0, 3.0])
    assert mean == 2.0
    assert half == pytest.approx(4.302652729749464 / math.sqrt(3))  # t(0.975, 2) * s / sqrt(n)
    assert math.isnan(t_interval([1.0])[1])


@pytest.mark.parametrize("value, text", [(17.0, "17"), (np.float64(1000.0), "1,000"),
                                         (Stat(17.0, 0.0), "17"), (26.5, "26.5"),
                                         (0.5, "0.500"), (2.5e12, "2.50e+12")])
def test_whole_numbers_print_as_integers(value, text) -> None:
    assert fmt(value) == text


def test_a_stat_of_whole_numbers_with_no_spread_is_shown_as_its_value():
    # every seed at 1 (a method that is always right): the cell reads 1, with no "± 0"
    markup = html_table([{"m": "a", "x": Stat(1.0, 0.0)}, {"m": "b", "x": Stat(0.5, 0.1)}]).html
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", markup)]
    assert cells == ["a", "1", "b", "0.500 ± 0.100"]
