"""Result tables as self-contained HTML for notebooks and the book.

One helper renders every table of the kit: :func:`show_table` (or :func:`html_table`, which
returns the object without displaying it). It

- formats numbers to their precision: 3 significant digits, integers in full, a
  :class:`Stat` as ``mean ± spread``; code keys in text cells as display names;
- marks the best value of each column named in ``best`` (bold), among the trained rows only;
- sets reference rows (twin, identity, oracle, random, ...: rows no method produced) apart,
  in their own labelled block, in grey italics;
- keeps to a ~700 px content column: long text wraps, numbers stay on one line, and a
  table too wide for the column is split into several tables that repeat the label column.

Lists, definition lists and claim cards are in :mod:`rlvid.book.html_blocks`. The HTML uses inline
styles only (no stylesheet, script or external resource), so it looks the same in
JupyterLab, in the book and in a saved notebook. Every object also has a plain text form,
which is what ``print`` and nbval see.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rlvid.book.formatting import Stat, _is_numeric, _number, fmt, stats  # noqa: F401
from rlvid.book.names import display_name

MAX_WIDTH_PX = 700  # the book's content column
CHAR_PX = 7.2  # average glyph width at the table's 13 px font
BOLD_WIDTH = 1.2  # bold glyphs are wider: a bold city table rendered 752 px for 700
CELL_PAD_PX = 14  # left + right padding of a cell
TEXT_MAX_CHARS = 22  # a text cell wraps beyond about this many characters
SHORT_TEXT_CHARS = 14  # shorter text never wraps

_HIGHER = {"max", "higher", "high", "up"}
_LOWER = {"min", "lower", "low", "down"}

# ---------------------------------------------------------------- tables

@dataclass
class _Column:
    key: str
    header: str
    numeric: bool
    best: str | None  # "max", "min" or None


class Table:
    """Rows of dicts as HTML (``_repr_html_``) and aligned text (``str``); built by
    :func:`html_table` (``Table(rows, **options)``).

    ``columns`` selects and orders the keys shown, a mapping also renames them (key ->
    header, say with unit and direction); by default every key in first-seen order.
    Values: numbers, :class:`Stat` (``value ± spread``), text (wraps), ``None`` (a dash).
    ``best`` maps a column to ``"max"`` or ``"min"`` (``"higher"``/``"lower"`` too): its best
    value among ``rows`` (never among ``reference_rows``) is shown bold. ``reference_rows``
    come last, in a block labelled ``reference_label``. The first ``label_columns`` columns
    are repeated when the table is split to fit ``max_width`` pixels.
    """

    def __init__(self, rows: Sequence[Mapping[str, Any]], *, caption: str = "",
                 reference_rows: Sequence[Mapping[str, Any]] = (),
                 best: Mapping[str, str] | None = None,
                 columns: Sequence[str] | Mapping[str, str] | None = None,
                 notes: str = "", reference_label: str = "reference (not a trained method)",
                 digits: int = 3, max_width: int = MAX_WIDTH_PX,
                 label_columns: int = 1) -> None:
        self.rows = [dict(r) for r in rows]
        self.reference_rows = [dict(r) for r in reference_rows]
        self.caption, self.notes, self.reference_label = caption, notes, reference_label
        self.digits, self.max_width = digits, max_width
        everything = self.rows + self.reference_rows
        if columns is None:
            keys = list(dict.fromkeys(k for r in everything for k in r))
            headers = dict(zip(keys, keys))
        elif isinstance(columns, Mapping):
            keys, headers = list(columns), dict(columns)
        else:
            keys = list(columns)
            headers = dict(zip(keys, keys))
        best = {k: _direction(v) for k, v in (best or {}).items()}
        unknown = [k for k in best if k not in keys]
        if unknown:
            raise ValueError(f"best names columns the table does not have: {unknown}")
        self.columns = [
            _Column(k, headers[k],
                    numeric=any(_is_numeric(r.get(k)) for r in everything)
                    and all(_is_numeric(r.get(k)) or r.get(k) in (None, "", "-", "–")
                            for r in everything),
                    best=best.get(k))
            for k in keys
        ]
        self.label_columns = max(0, min(label_columns, len(self.columns)))
        self.best_cells = self._best_cells()
        # too wide for the column: each spread goes under its value before any split
        self.stacked = False
        self.stacked = self.estimated_width() > self.max_width

    # ------------------------------------------------------------ best values

    def _best_cells(self) -> set[tuple[int, str]]:
        """(row index, column) of each column's best value among the trained rows."""
        marked: set[tuple[int, str]] = set()
        for col in self.columns:
            if col.best is None:
                continue
            values = [(i, _number(r.get(col.key))) for i, r in enumerate(self.rows)]
            values = [(i, v) for i, v in values if v is not None]
            if not values:
                continue
            pick = max if col.best == "max" else min
            target = pick(v for _, v in values)
            marked |= {(i, col.key) for i, v in values if v == target}
        return marked

    # ------------------------------------------------------------ text

    def cell_text(self, value: Any) -> str:
        if value is None or value == "":
            return "–" if value is None else ""
        return display_name(value) if isinstance(value, str) else fmt(value, self.digits)

    def __str__(self) -> str:
        header = [c.header for c in self.columns]
        body = [[self.cell_text(r.get(c.key)) for c in self.columns] for r in self.rows]
        ref = [[self.cell_text(r.get(c.key)) for c in self.columns]
               for r in self.reference_rows]
        body = [[v + ("*" if (i, c.key) in self.best_cells else "")
                 for v, c in zip(row, self.columns)] for i, row in enumerate(body)]
        widths = [max(len(x) for x in col) for col in zip(header, *body, *ref)]

        def line(values: Sequence[str]) -> str:
            return "  ".join(v.ljust(w) if not c.numeric else v.rjust(w)
                             for v, w, c in zip(values, widths, self.columns)).rstrip()

        out = [self.caption] if self.caption else []
        out += [line(header), "  ".join("-" * w for w in widths)]
        out += [line(r) for r in body]
        if ref:
            out.append(f"-- {self.reference_label}")
            out += [line(r) for r in ref]
        if self.best_cells:
            out.append("* best of the column")
        if self.notes:
            out.append(self.notes)
        return "\n".join(out)

    __repr__ = __str__

    # ------------------------------------------------------------ width

    def column_width(self, col: _Column) -> float:
        """Estimated pixels a column needs: numbers never wrap; text and headers wrap at
        spaces (text longer than ``SHORT_TEXT_CHARS`` can wrap down to its longest word)."""
        cells = [self.cell_text(r.get(col.key)) for r in self.rows + self.reference_rows]
        if col.numeric:  # the column's best value is set in bold, ~10 % wider glyphs
            parts = [p for c in cells for p in (c.split(" ± ") if self.stacked else [c])]
            chars = max([len(p) + 2 for p in parts] + [0]) * (BOLD_WIDTH if col.best else 1.0)
        else:
            chars = max([min(len(c), SHORT_TEXT_CHARS) for c in cells] + [0])
            chars = max([chars] + [len(w) for c in cells for w in c.split()])
        # headers are bold: their longest word sets many a numeric column's width
        chars = max([chars] + [len(w) * BOLD_WIDTH for w in col.header.split()])
        return chars * CHAR_PX + CELL_PAD_PX

    def estimated_width(self) -> float:
        return sum(self.column_width(c) for c in self.columns)

    def _column_groups(self) -> list[list[_Column]]:
        """The columns split into tables no wider than ``max_width``, each starting with the
        label columns."""
        labels = self.columns[:self.label_columns]
        rest = self.columns[self.label_columns:]
        base = sum(self.column_width(c) for c in labels)
        if self.estimated_width() <= self.max_width or not rest:
            return [self.columns]
        widths = [self.column_width(c) for c in rest]
        room = max(self.max_width - base, max(widths))
        n_tables = max(2, math.ceil(sum(widths) / room))
        while True:  # balanced chunks that each fit
            size = math.ceil(len(rest) / n_tables)
            chunks = [rest[i:i + size] for i in range(0, len(rest), size)]
            if all(sum(self.column_width(c) for c in ch) <= room for ch in chunks) \
                    or size == 1:
                return [labels + ch for ch in chunks]
            n_tables += 1

    # ------------------------------------------------------------ HTML

    def _td(self, col: _Column, value: Any, best: bool) -> str:
        shown = self.cell_text(value)
        text = html.escape(shown)
        if isinstance(value, Stat) and " ± " in shown:  # no spread: shown as its value alone
            main, spread = shown.split(" ± ")
            text = (f'{html.escape(main)}{"<br>" if self.stacked else " "}<span '
                    f'style="color:#666;font-size:0.9em">± {html.escape(spread)}</span>')
        if best:
            text = f'<strong class="rlvid-best">{text}</strong>'
        if col.numeric:
            style = ("text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums;"
                     "padding:3px 7px")
            return f'<td class="rlvid-num" style="{style}">{text}</td>'
        wrap = "nowrap" if len(self.cell_text(value)) <= SHORT_TEXT_CHARS else "normal"
        style = (f"text-align:left;white-space:{wrap};word-break:break-word;"
                 f"max-width:{TEXT_MAX_CHARS * CHAR_PX:.0f}px;padding:3px 7px")
        return f'<td class="rlvid-text" style="{style}">{text}</td>'

    def _th(self, col: _Column) -> str:
        align = "right" if col.numeric else "left"
        arrow = {"max": " ↑", "min": " ↓"}.get(col.best or "", "")
        if arrow.strip() in col.header:
            arrow = ""
        style = (f"text-align:{align};white-space:normal;word-break:normal;"
                 "vertical-align:bottom;padding:3px 7px;border-bottom:1px solid #444")
        return f'<th style="{style}">{html.escape(col.header)}{arrow}</th>'

    def _one_table(self, cols: list[_Column], caption: str) -> str:
        parts = ['<table class="rlvid-table" style="border-collapse:collapse;font-size:13px;'
                 'margin:0.4em 0 0.8em 0;width:auto;max-width:100%">']
        if caption:
            parts.append('<caption style="caption-side:top;text-align:left;font-weight:600;'
                         f'padding:2px 0 4px 0">{html.escape(caption)}</caption>')
        parts.append("<thead><tr>" + "".join(self._th(c) for c in cols) + "</tr></thead>")
        parts.append("<tbody>")
        for i, row in enumerate(self.rows):
            parts.append("<tr>" + "".join(self._td(c, row.get(c.key), (i, c.key) in
                                                   self.best_cells) for c in cols) + "</tr>")
        parts.append("</tbody>")
        if self.reference_rows:
            parts.append('<tbody class="rlvid-reference" style="color:#666;font-style:italic">')
            parts.append(f'<tr class="rlvid-ref-label"><td colspan="{len(cols)}" '
                         'style="border-top:1px solid #999;padding:4px 7px 1px 7px;'
                         f'font-size:0.85em">{html.escape(self.reference_label)}</td></tr>')
            for row in self.reference_rows:
                parts.append('<tr class="rlvid-ref">'
                             + "".join(self._td(c, row.get(c.key), False) for c in cols)
                             + "</tr>")
            parts.append("</tbody>")
        parts.append("</table>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        groups = self._column_groups()
        tables = []
        for n, cols in enumerate(groups):
            cap = self.caption
            if len(groups) > 1 and cap:
                cap = f"{cap} ({n + 1}/{len(groups)})"
            tables.append(self._one_table(cols, cap))
        foot = []
        if self.best_cells:
            foot.append("<strong>bold</strong>: best of the column among the trained rows")
        if self.notes:
            foot.append(html.escape(self.notes))
        footer = (f'<p style="font-size:0.85em;color:#555;margin:0 0 1em 0">'
                  f'{"; ".join(foot)}.</p>' if foot else "")
        return (f'<div class="rlvid-table-block" style="max-width:{self.max_width}px;'
                f'overflow-x:auto">{"".join(tables)}{footer}</div>')

    html = property(_repr_html_)


class Tables:
    """Several tables shown as one output, one after the other."""

    def __init__(self, tables: Sequence[Table]) -> None:
        self.tables = list(tables)

    def _repr_html_(self) -> str:
        return "".join(t._repr_html_() for t in self.tables)

    def __str__(self) -> str:
        return "\n\n".join(str(t) for t in self.tables)

    __repr__ = __str__


def _direction(value: str) -> str:
    v = value.lower()
    if v in _HIGHER:
        return "max"
    if v in _LOWER:
        return "min"
    raise ValueError(f"best direction must be max/higher or min/lower, not {value!r}")


def html_table(rows: Sequence[Mapping[str, Any]], **options: Any) -> Table:
    """A :class:`Table` of ``rows`` (dicts); ``options`` are its keywords (caption,
    reference_rows, best, columns, notes, ...)."""
    return Table(rows, **options)


def show_table(rows: Sequence[Mapping[str, Any]], **options: Any) -> None:
    """Display :func:`html_table` ``(rows, **options)`` in the notebook."""
    _display(html_table(rows, **options))


def _display(obj: Any, display: Callable[[Any], Any] | None = None) -> None:
    if display is None:
        from IPython.display import display
    display(obj)
