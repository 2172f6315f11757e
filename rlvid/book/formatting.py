"""Numbers as the book's tables print them: :class:`Stat` (a value with its spread) and
:func:`fmt`, which formats any cell value to its precision. :mod:`rlvid.book.display` re-exports
both."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Stat:
    """A measured value with its spread: shown as ``value ± spread``.

    ``spread`` is whatever the table's notes say it is (seed standard deviation, 95% CI
    half-width); ``None`` shows the value alone.
    """

    value: float
    spread: float | None = None


def _decimals(x: float, digits: int) -> int:
    """Decimals that show ``x`` to ``digits`` significant digits (0 for large numbers)."""
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    rounded = round(x, decimals)
    if rounded != 0 and math.floor(math.log10(abs(rounded))) > math.floor(math.log10(abs(x))):
        decimals = max(0, decimals - 1)  # 9.996 -> 10.0, not 10.00
    return decimals


def _fixed(x: float) -> bool:
    return x == 0 or 1e-4 <= abs(x) < 1e5


def fmt(value: Any, digits: int = 3) -> str:
    """One value as text: floats to ``digits`` significant digits (scientific notation
    below 1e-4 and from 1e5), integers in full with thousands separators (a float that is
    a whole number too, and a Stat of one with no spread), NaN as a dash.

    A :class:`Stat` is ``value ± spread``: the value to ``digits`` significant digits, the
    spread to as many decimals, or more where the spread needs them for two significant
    digits (``0.920 ± 0.020``, ``26.0 ± 0.46``).
    """
    if isinstance(value, Stat):
        spread = value.spread
        if spread is None or _is_nan(spread) or (spread == 0 and _integral(value.value)):
            return fmt(value.value, digits)
        v, s = float(value.value), abs(float(spread))
        if isinstance(value.value, (int, np.integer)) and isinstance(spread, (int, np.integer)):
            return f"{fmt(value.value)} ± {fmt(spread)}"
        if not (_fixed(v) and _fixed(s)) or not math.isfinite(v) or not math.isfinite(s):
            return f"{fmt(v, digits)} ± {fmt(s, digits)}"
        decimals = max(_decimals(v, digits) if v else 0, _decimals(s, 2) if s else 0)
        return f"{v:.{decimals}f} ± {s:.{decimals}f}"
    if value is None:
        return "–"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return f"{int(value):,}"
    if isinstance(value, (float, np.floating)):
        x = float(value)
        if math.isnan(x):
            return "–"
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        if x == 0:
            return "0"
        if _integral(x):  # a count that went through float (17.0 updates) reads 17
            return f"{int(x):,}"
        if not _fixed(x):
            return f"{x:.{digits - 1}e}"
        return f"{x:.{_decimals(x, digits)}f}"
    return str(value)


def _integral(value: Any) -> bool:
    """A whole number from 1 to below 1e5 (larger ones read in scientific notation)."""
    x = float(value) if isinstance(value, (int, float, np.integer, np.floating)) else math.nan
    return math.isfinite(x) and x.is_integer() and 1 <= abs(x) < 1e5


def _is_nan(value: Any) -> bool:
    return isinstance(value, (float, np.floating)) and math.isnan(float(value))


def _number(value: Any) -> float | None:
    """The comparable number of a cell (a Stat's value), or None for text and NaN."""
    value = value.value if isinstance(value, Stat) else value
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        return None
    return None if math.isnan(float(value)) else float(value)


def _is_numeric(value: Any) -> bool:
    return isinstance(value, Stat) or _number(value) is not None or _is_nan(value)


def stats(row: Mapping[str, Any], metrics: Sequence[str], spread: str = "std",
          scale: Mapping[str, float] | None = None) -> dict[str, Stat | float]:
    """``metric -> Stat(mean, spread)`` from an aggregated row (``<m>_mean`` and
    ``<m>_<spread>``, or ``<m>`` and ``<m>_<spread>``); a plain ``<m>`` without spread (a
    reference row) stays a number. ``scale`` multiplies a metric (e.g. E_warp x 1000)."""
    out: dict[str, Stat | float] = {}
    for m in metrics:
        k = scale.get(m, 1.0) if scale else 1.0
        mean = row.get(f"{m}_mean", row.get(m))
        if mean is None:
            continue
        sd = row.get(f"{m}_{spread}")
        out[m] = Stat(mean * k, sd * k) if sd is not None else mean * k
    return out
