"""rlvid.book.figure_check: a readable figure passes; overlapping labels, a title outside the
figure, a panel too narrow for the book and a legend over the data each fail; the hook
records every figure drawn, once."""

from __future__ import annotations

import io
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rlvid.book.figure_check import figure_problems, record_figures  # noqa: E402


@pytest.fixture(autouse=True)
def _close() -> None:
    yield
    plt.close("all")


def test_a_plain_figure_has_no_problem() -> None:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1, 2], [1, 0, 1], label="a line")
    ax.set(xlabel="x", ylabel="y", title="one panel")
    ax.legend(loc="upper center")
    fig.tight_layout()
    assert figure_problems(fig) == []


def test_overlapping_labels_are_found() -> None:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "first label")
    ax.text(0.5, 0.5, "second label")
    fig.tight_layout()
    problems = figure_problems(fig)
    assert problems == ["text 'first label' overlaps text 'second label'"]


def test_long_tick_labels_that_overprint_are_found() -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0.0303275075, 0.0303275076, 0.0303275077], [0, 1, 2])
    ax.set_xticks([0.0303275075, 0.0303275076, 0.0303275077],
                  ["0.0303275075", "0.0303275076", "0.0303275077"])
    fig.tight_layout()
    assert any("tick label '0.0303275075' overlaps tick label '0.0303275076'" == p
               for p in figure_problems(fig))


def test_a_title_cut_off_at_the_edge_is_found() -> None:
    fig, ax = plt.subplots(figsize=(3, 2))
    ax.plot([0, 1], [0, 1])
    ax.set_title("a title far too long for so small a figure to hold it")
    problems = figure_problems(fig)
    assert "title 'a title far too long for so small a figure to hold it' falls outside " \
           "the figure" in problems


def test_a_panel_narrower_than_150_px_at_the_book_width_is_found() -> None:
    # 14 inches at 100 dpi is 1400 px, halved to fit 700 px: a 140 px panel shows at 70 px
    fig = plt.figure(figsize=(14, 3), dpi=100)
    ax = fig.add_axes((0.3, 0.2, 0.1, 0.7))
    ax.plot([0, 1], [0, 1])
    ax.set_title("narrow")
    (problem,) = figure_problems(fig)
    assert problem.startswith("panel 'narrow' is 70 px wide") and "at least 150" in problem
    assert figure_problems(fig, book_px=1400, min_panel_px=100) == []


def test_a_legend_over_the_points_is_found() -> None:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0.08, 0.9], [0.92, 0.1], "o", label="seeds")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    ax.legend(loc="upper left")
    fig.tight_layout()
    assert figure_problems(fig) == ["the legend of 'a panel' covers 1 data point(s)"]


def test_an_empty_panel_is_found() -> None:
    fig, (left, right) = plt.subplots(1, 2, figsize=(6, 3))
    left.plot([0, 1], [0, 1])
    right.plot([], [], label="nothing logged")
    right.set_title("pretraining")
    fig.tight_layout()
    assert figure_problems(fig) == ["panel 'pretraining' draws no data"]


def test_images_and_colour_bars_are_not_data_panels() -> None:
    fig, axes = plt.subplots(1, 8, figsize=(8, 1.2))
    for ax in axes:
        im = ax.imshow([[0, 1], [1, 0]])
        ax.set_axis_off()
    fig.colorbar(im, ax=axes[-1])
    assert figure_problems(fig) == []


def test_the_hook_records_each_figure_once(tmp_path: Path) -> None:
    report = tmp_path / "figures.jsonl"
    record_figures(report)
    try:
        _draw_twice()
    finally:
        record_figures(None)
    (line,) = report.read_text().splitlines()
    entry = json.loads(line)
    assert entry["figure"] == "recorded"
    assert entry["problems"] == ["text 'same' overlaps text 'place'"]


def _draw_twice() -> None:
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1])
    ax.text(0.5, 0.5, "same")
    ax.text(0.5, 0.5, "place")
    ax.set_title("recorded")
    for _ in range(2):  # an animation saves the same figure once per frame
        fig.savefig(io.BytesIO(), format="png")
