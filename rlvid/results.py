"""Result tables with provenance, and the comparison behind ``rlvid compare``.

A table is a JSON file ``{"name", "provenance", "notes", "rows"}`` (plus a CSV twin
for spreadsheets). Rows are flat dicts: text fields identify a row (method, dataset,
metric backend), numeric fields are measurements. Notebooks write tables to
:func:`results_dir`; committed reference tables live in ``results/<profile>/``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from rlvid.errors import RlvidError
from rlvid.paths import results_dir
from rlvid.runtime import atomic_write_bytes, provenance, write_json


def write_table(
    name: str,
    rows: Sequence[Mapping[str, Any]],
    cfg: Any,
    backends: Mapping[str, str] | None = None,
    notes: str = "",
    directory: str | Path | None = None,
    provenance_: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``rows`` as ``<dir>/<name>.json`` and ``.csv`` with provenance (``provenance_``:
    that of the run that made the rows, e.g. merged seed results; else this process's);
    returns the JSON path. Reference rows carry their ``kind`` (:func:`row_kind`)."""
    profile = getattr(cfg, "profile", None) or (provenance_ or {}).get("profile") or "unknown"
    out = Path(directory) if directory is not None else results_dir(profile)
    table = {
        "name": name,
        "provenance": dict(provenance_) if provenance_ else provenance(cfg, dict(backends or {})),
        "notes": notes,
        "rows": [dict(r) for r in rows],
    }
    path = write_json(out / f"{name}.json", table)
    atomic_write_bytes(out / f"{name}.csv", lambda fh: fh.write(_to_csv(table["rows"]).encode()))
    return path


def load_table(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if not path.is_file():
        raise RlvidError(f"no result table at {path}")
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RlvidError(f"{path} is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    except (UnicodeDecodeError, OSError) as exc:
        raise RlvidError(f"{path} is not a readable JSON text file ({exc})") from None
    if not isinstance(table, dict) or "rows" not in table:
        raise RlvidError(f"{path} is not a result table (no 'rows')")
    rows = table["rows"]
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise RlvidError(f"{path} is not a result table ('rows' must be a list of objects)")
    if not isinstance(table.get("name", ""), str):
        raise RlvidError(f"{path} is not a result table ('name' must be text)")
    return table


def _to_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        columns += [k for k in row if k not in columns]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def mean_std(values: Iterable[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (ddof=1; 0 for a single value)."""
    arr = np.asarray(list(values), dtype=float)
    if arr.size == 0:
        return math.nan, math.nan
    return float(arr.mean()), float(arr.std(ddof=1)) if arr.size > 1 else 0.0


def aggregate_seeds(
    rows: Sequence[Mapping[str, Any]], keys: Sequence[str], seed_key: str = "seed"
) -> list[dict[str, Any]]:
    """Group per-seed rows by ``keys``; each numeric field becomes ``<f>_mean`` and ``<f>_std``."""
    groups: dict[tuple, list[Mapping[str, Any]]] = {}
    for row in rows:
        groups.setdefault(tuple(row[k] for k in keys), []).append(row)
    out = []
    for key, members in groups.items():
        agg: dict[str, Any] = dict(zip(keys, key))
        agg["seeds"] = len(members)
        numeric = [k for k, v in members[0].items()
                   if k not in keys and k != seed_key and _is_number(v)]
        for k in numeric:
            agg[f"{k}_mean"], agg[f"{k}_std"] = mean_std(m[k] for m in members)
        out.append(agg)
    return out


def t_interval(values: Iterable[float], level: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of the two-sided Student-t confidence interval of the mean
    (``n - 1`` degrees of freedom); the half-width is NaN for fewer than two values."""
    from scipy import stats

    arr = np.asarray(list(values), dtype=float)
    if arr.size == 0:
        return math.nan, math.nan
    if arr.size < 2:
        return float(arr.mean()), math.nan
    sem = float(arr.std(ddof=1)) / math.sqrt(arr.size)
    return float(arr.mean()), float(stats.t.ppf(0.5 + level / 2, arr.size - 1)) * sem


def format_mean_std(mean: float, std: float, digits: int = 3) -> str:
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)


# ---------------------------------------------------------------- evidence rows
# A table's per-seed rows have an integer ``seed``; reference rows have ``seed`` "-". Every
# reference row is of one of three kinds (errata: "How a claim is judged"):
# - trivial: does not do the task (identity, flat, time-shuffled, an unrelated target video;
#   for inpainting the holes left unfilled or mean-filled). It sets the floor a method must
#   beat before its claim is judged;
# - baseline: a simple method that does the task (copy-nearest, Telea, the sequential and
#   random selectors, CycleGAN, Recycle-GAN); a competitor, never a veto;
# - upper bound: the twin, the oracle pair.

TRIVIAL = "trivial"
BASELINE = "baseline"
UPPER_BOUND = "upper bound"
REFERENCE_KINDS = (TRIVIAL, BASELINE, UPPER_BOUND)
# The kind of every named reference row and baseline, in one place (a row's own ``kind``
# is read only for names not listed; tables before this list called trivial rows, and
# copy-nearest, "content-free").
ROW_KINDS: dict[str, str] = {
    "identity": TRIVIAL, "flat": TRIVIAL, "shuffled source": TRIVIAL,
    "unrelated Y video": TRIVIAL, "held-out Y (real target)": TRIVIAL,
    "input (identity)": TRIVIAL, "flat (frame mean colour)": TRIVIAL,
    "our output, shuffled in time": TRIVIAL, "unfilled": TRIVIAL, "mean fill": TRIVIAL,
    "copy-nearest-visible": BASELINE, "copy_nearest": BASELINE, "copy-best-pair": BASELINE,
    "OpenCV Telea": BASELINE, "telea": BASELINE, "sequential": BASELINE, "random": BASELINE,
    "cyclegan": BASELINE, "recycle": BASELINE,
    "twin": UPPER_BOUND, "oracle": UPPER_BOUND, "input at 16 px and back": UPPER_BOUND,
}
_LEGACY_KINDS = {"content-free": TRIVIAL}


def row_kind(row: Mapping[str, Any], key: str) -> str | None:
    """The kind of a row (:data:`REFERENCE_KINDS`), or None for a method under study.
    Table 2's ``policy:regime`` keys are looked up by their policy."""
    name = str(row.get(key, ""))
    kind = ROW_KINDS.get(name) or ROW_KINDS.get(name.split(":")[0])
    if kind is None:
        stored = row.get("kind")
        kind = _LEGACY_KINDS.get(stored, stored) if isinstance(stored, str) else None
    return kind if kind in REFERENCE_KINDS else None


def is_seed_row(row: Mapping[str, Any]) -> bool:
    seed = row.get("seed")
    return isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)


def per_seed(rows: Sequence[Mapping[str, Any]], key: str, name: str, column: str
             ) -> dict[int, float]:
    """``{seed: row[column]}`` over the per-seed rows whose ``key`` is ``name``."""
    out: dict[int, float] = {}
    for row in rows:
        if row.get(key) != name or not is_seed_row(row) or not _is_number(row.get(column)):
            continue
        if int(row["seed"]) in out:
            raise RlvidError(f"two rows for {key}={name!r}, seed {row['seed']}")
        out[int(row["seed"])] = float(row[column])
    return out


def add_budget_ratios(rows: Sequence[Mapping[str, Any]], method: str, key: str = "method"
                      ) -> list[dict[str, Any]]:
    """Copies of ``rows`` where every other per-seed row with ``flops`` gets ``budget_ratio``:
    its FLOPs over those of ``method`` on the same seed."""
    base = per_seed(rows, key, method, "flops")
    out = []
    for row in rows:
        row = dict(row)
        if is_seed_row(row) and row.get(key) != method and _is_number(row.get("flops")) \
                and base.get(int(row["seed"])):
            row["budget_ratio"] = float(row["flops"]) / base[int(row["seed"])]
        out.append(row)
    return out


def relative_change(before: Mapping[str, object], after: Mapping[str, object]) -> float:
    """‖θ_after − θ_before‖ / ‖θ_before‖ over the floating tensors of two state dicts."""
    import torch

    num = den = 0.0
    for name, old in before.items():
        if not (isinstance(old, torch.Tensor) and old.is_floating_point()):
            continue
        new = after[name]
        assert isinstance(new, torch.Tensor)
        num += float((new.double() - old.double()).pow(2).sum())
        den += float(old.double().pow(2).sum())
    if den == 0:
        raise RlvidError("relative change of an all-zero parameter set is undefined")
    return math.sqrt(num / den)


# ---------------------------------------------------------------- comparison

@dataclass
class Difference:
    row: str
    column: str
    reference: Any
    run: Any
    ok: bool


@dataclass
class Comparison:
    reference_name: str
    differences: list[Difference] = field(default_factory=list)
    missing_rows: list[str] = field(default_factory=list)
    extra_rows: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(d.ok for d in self.differences) and not self.missing_rows and not self.extra_rows

    def render(self) -> str:
        lines = [f"table {self.reference_name}: reference vs run"]
        width = max([len(d.row) for d in self.differences] + [8])
        for d in self.differences:
            mark = "ok  " if d.ok else "DIFF"
            lines.append(f"  {mark} {d.row:{width}s} {d.column:24s} {_fmt(d.reference):>14s} "
                         f"{_fmt(d.run):>14s}")
        lines += [f"  MISSING in run: {r}" for r in self.missing_rows]
        lines += [f"  EXTRA in run:   {r}" for r in self.extra_rows]
        n_bad = sum(not d.ok for d in self.differences)
        lines.append(f"{len(self.differences) - n_bad} numbers agree, {n_bad} differ beyond "
                     f"tolerance, {len(self.missing_rows)} rows missing, "
                     f"{len(self.extra_rows)} extra")
        return "\n".join(lines)


def _fmt(v: Any) -> str:
    return f"{v:.6g}" if _is_number(v) else str(v)


IDENTIFIER_FIELDS = ("seed",)  # numeric, yet they name a row rather than measure it
# Wall-clock columns differ between machines and runs; compare skips them by default.
TIMING_COLUMNS = re.compile(r"(^|_)(s|sec|seconds|time|fps)$")


def _row_key(row: Mapping[str, Any]) -> str:
    parts = [f"{k}={v}" for k, v in row.items() if not _is_number(v) or k in IDENTIFIER_FIELDS]
    return ", ".join(parts) or "(row)"


def compare_tables(
    reference: Mapping[str, Any], run: Mapping[str, Any], rtol: float = 0.05,
    atol: float = 1e-6, include_timings: bool = False,
) -> Comparison:
    """Match rows by their text fields (and seed); compare each number within tolerance.

    Timing columns (``train_s``, ``seconds``, ``fps``...) are skipped unless
    ``include_timings``: they measure the machine, not the method.
    """
    ref_rows = {_row_key(r): r for r in reference["rows"]}
    run_rows = {_row_key(r): r for r in run["rows"]}
    result = Comparison(reference.get("name", "?"))
    result.missing_rows = [k for k in ref_rows if k not in run_rows]
    result.extra_rows = [k for k in run_rows if k not in ref_rows]
    for key, ref in ref_rows.items():
        if key not in run_rows:
            continue
        for column, expected in ref.items():
            if not _is_number(expected) or column in IDENTIFIER_FIELDS:
                continue
            if not include_timings and TIMING_COLUMNS.search(column):
                continue
            got = run_rows[key].get(column)
            ok = _is_number(got) and (
                math.isclose(float(got), float(expected), rel_tol=rtol, abs_tol=atol)
                or (math.isnan(float(got)) and math.isnan(float(expected)))
            )
            result.differences.append(Difference(key, column, expected, got, ok))
    return result
