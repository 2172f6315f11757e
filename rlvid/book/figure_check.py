"""Is a figure readable? Checks from matplotlib's own renderer extents (``get_window_extent``).

:func:`figure_problems` lists what a reader would trip on: two text labels that overlap, a
label or title that falls outside the figure, a data panel narrower than
:data:`MIN_PANEL_PX` once the figure is scaled to the book's column, and a legend drawn over
data points. :func:`record_figures` hooks matplotlib so that every figure a notebook draws
(shown inline, saved or turned into an animation) is checked once and its problems are
written to a JSON-lines file; :func:`rlvid.book.notebooks.run_notebook` turns it on for every
notebook it executes (``build/<profile>/figures/<notebook>.jsonl``, through
``rlvid.paths.FIGURE_REPORT_ENV`` and the kernel's startup file, :mod:`rlvid.book.kernel_startup`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from rlvid.book.display import MAX_WIDTH_PX

MIN_PANEL_PX = 150  # the narrowest data panel a reader can read, at the book's width
SLACK_PX = 1.0  # overlaps smaller than this are anti-aliasing, not a collision


def _renderer(fig: Figure) -> Any:
    from matplotlib.backends.backend_agg import RendererAgg

    renderer = RendererAgg(int(fig.bbox.width), int(fig.bbox.height), fig.dpi)
    fig.draw(renderer)  # lays out ticks, legends and constrained/tight layouts
    return renderer


def _shown(text: Text) -> bool:
    return text.get_visible() and (text.axes is None or text.axes.get_visible())


def _tick_labels(ax: Axes) -> Iterator[Text]:
    """The tick labels drawn: visible, non-empty, at a tick inside the view limits."""
    for axis in (ax.xaxis, ax.yaxis):
        if not axis.get_visible():
            continue
        low, high = sorted(axis.get_view_interval())
        pad = (high - low) * 1e-9
        for tick in axis.get_major_ticks() + axis.get_minor_ticks():
            if not low - pad <= tick.get_loc() <= high + pad:
                continue
            for label in (tick.label1, tick.label2):
                if label.get_visible() and label.get_text().strip():
                    yield label


def _texts(fig: Figure) -> list[tuple[str, Text]]:
    """Every text a reader sees, with a name for the report."""
    out: list[tuple[str, Text]] = []
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        out += [("tick label", t) for t in _tick_labels(ax)] if ax.axison else []
        if ax.axison:
            out += [("axis label", a.label) for a in (ax.xaxis, ax.yaxis) if a.get_visible()]
            out += [("offset text", a.get_offset_text()) for a in (ax.xaxis, ax.yaxis)]
        out += [("title", t) for t in (ax.title, ax._left_title, ax._right_title)]
        out += [("text", t) for t in ax.texts]
        if ax.get_legend() is not None:
            out += [("legend", t) for t in ax.get_legend().get_texts()]
            out.append(("legend title", ax.get_legend().get_title()))
    for legend in fig.legends:
        out += [("legend", t) for t in legend.get_texts()]
    out += [("figure text", t) for t in fig.texts]
    if fig._suptitle is not None:
        out.append(("suptitle", fig._suptitle))
    return [(kind, t) for kind, t in out
            if t.get_text().strip() and _shown(t)]


def _overlap(a: Bbox, b: Bbox) -> bool:
    return (min(a.x1, b.x1) - max(a.x0, b.x0) > SLACK_PX
            and min(a.y1, b.y1) - max(a.y0, b.y0) > SLACK_PX)


def _data_axes(fig: Figure) -> list[Axes]:
    """Panels that plot data: not images, colour bars or empty frames."""
    return [ax for ax in fig.axes if ax.get_visible() and ax.axison and not ax.images
            and not hasattr(ax, "_colorbar") and (ax.lines or ax.collections or ax.patches)]


def _points_px(ax: Axes) -> list[tuple[float, float]]:
    """Display positions of the markers and scatter points drawn on ``ax``."""
    points: list[tuple[float, float]] = []
    for line in ax.lines:
        if line.get_visible() and line.get_marker() not in (None, "", "None", " "):
            xy = line.get_xydata()
            if len(xy):
                points += [tuple(p) for p in ax.transData.transform(xy)]
    for coll in ax.collections:
        offsets = coll.get_offsets()
        if coll.get_visible() and len(offsets) and coll.get_offset_transform() is ax.transData:
            points += [tuple(p) for p in ax.transData.transform(offsets)]
    return points


def _panel_name(ax: Axes) -> str:
    return ax.get_title() or ax.get_xlabel() or ax.get_ylabel() or "a panel"


def _draws_data(ax: Axes) -> bool:
    """Whether anything with data is drawn: a line with points, a non-empty collection, a
    bar, or a text (a panel that says why it is empty)."""
    return (any(len(line.get_xydata()) for line in ax.lines)
            or any(len(c.get_offsets()) or len(c.get_paths()) for c in ax.collections)
            or bool(ax.patches) or bool(ax.texts))


def figure_problems(fig: Figure, book_px: float = MAX_WIDTH_PX,
                    min_panel_px: float = MIN_PANEL_PX) -> list[str]:
    """What makes ``fig`` hard to read, one line per problem ([] for a readable figure)."""
    renderer = _renderer(fig)
    problems: list[str] = []
    page = fig.bbox
    boxes = [(kind, t, t.get_window_extent(renderer)) for kind, t in _texts(fig)]
    for kind, t, box in boxes:
        if (box.x0 < page.x0 - SLACK_PX or box.y0 < page.y0 - SLACK_PX
                or box.x1 > page.x1 + SLACK_PX or box.y1 > page.y1 + SLACK_PX):
            problems.append(f"{kind} {t.get_text()!r} falls outside the figure")
    for i, (kind_a, a, box_a) in enumerate(boxes):
        for kind_b, b, box_b in boxes[i + 1:]:
            if _overlap(box_a, box_b):
                problems.append(f"{kind_a} {a.get_text()!r} overlaps {kind_b} {b.get_text()!r}")
    scale = min(1.0, book_px / page.width)
    for ax in _data_axes(fig):
        width = ax.bbox.width * scale
        if width < min_panel_px:
            problems.append(f"panel {_panel_name(ax)!r} is {width:.0f} px wide at the book's width "
                            f"(at least {min_panel_px})")
        if not _draws_data(ax):
            problems.append(f"panel {_panel_name(ax)!r} draws no data")
        legend = ax.get_legend()
        if legend is not None and legend.get_visible():
            frame = legend.get_window_extent(renderer)
            covered = [p for p in _points_px(ax) if frame.contains(*p)]
            if covered:
                problems.append(f"the legend of {ax.get_title() or 'a panel'!r} covers "
                                f"{len(covered)} data point(s)")
    return problems


def _figure_name(fig: Figure) -> str:
    titles = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    titles += [ax.get_title() for ax in fig.axes if ax.get_title()]
    titles += [ax.get_ylabel() for ax in fig.axes if ax.get_ylabel()]
    return "; ".join(titles[:3]) or "untitled"


_checked: set[int] = set()
_busy = False
_report: Path | None = None


def record_figures(report: str | Path | None) -> None:
    """Check every figure drawn from now on, once, appending a JSON line per figure
    (``cell``, ``figure``, ``problems``) to ``report``; ``None`` stops recording."""
    from matplotlib.backend_bases import FigureCanvasBase

    global _report
    _report = None if report is None else Path(report)
    if _report is not None:
        _report.touch()  # an empty report still says that the hook ran
    original = FigureCanvasBase.print_figure
    if getattr(original, "_rlvid_checks", False):
        return

    def print_figure(canvas: FigureCanvasBase, *args: Any, **kwargs: Any) -> Any:
        global _busy
        fig = canvas.figure
        if _report is not None and not _busy and id(fig) not in _checked:
            _checked.add(id(fig))
            _busy = True
            try:
                problems = figure_problems(fig)
            except Exception as exc:  # a check that breaks is reported, never hides a figure
                problems = [f"the check failed: {type(exc).__name__}: {exc}"]
            finally:
                _busy = False
            entry = {"cell": _cell_number(), "figure": _figure_name(fig), "problems": problems}
            with open(_report, "a") as out:
                out.write(json.dumps(entry) + "\n")
        return original(canvas, *args, **kwargs)

    print_figure._rlvid_checks = True  # type: ignore[attr-defined]
    FigureCanvasBase.print_figure = print_figure  # type: ignore[method-assign]


def _cell_number() -> int | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return None if shell is None else int(shell.execution_count)

