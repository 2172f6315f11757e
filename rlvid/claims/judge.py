"""Every claim of the two papers that this kit tests, judged with paired evidence.

Each claim is a :class:`rlvid.results.ClaimSpec`: two arms of one result table (the method
under test and its control), one metric, and what the paper says. :func:`judge` pairs the
arms' per-seed rows by seed and returns one of the five verdicts of :mod:`rlvid.claims.evidence`,
checked in this order:

1. ``not comparable``: only when the claim cannot be measured here at all (V11: the data
   are proprietary);
2. ``not tested``: the table, or one of the arms, is missing; the phase under test did not
   move (its ``param_change`` or ``phase_updates`` is below the claim's threshold); or the
   winning arm does not beat the best trivial row (:data:`rlvid.results.TRIVIAL`, or the
   metric's floor by construction, :data:`METRIC_FLOORS`): the task was not learned at
   this scale;
3. ``reproduced`` / ``refuted`` / ``inconclusive``: from the 95% CI of the mean paired
   difference (Student-t over seeds), signed so that positive is the paper's direction.

Baselines (:data:`rlvid.results.BASELINE`) never change a verdict: every reason ends with
one computed sentence on where the arms stand against the best trivial row and the best
baseline (:func:`standing`). The control may itself be a reference row (seed "-", the same
test videos for every seed) or :data:`BEST_TRIVIAL`, the best trivial row of the table.

:func:`write_claims` writes ``claims.json`` beside the tables: the notebooks' run makes it,
never a hand. The paper's side is quoted in :mod:`rlvid.v2v.paper` and
:mod:`rlvid.rovr.paper`; everything else is computed each time.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rlvid.claims.evidence import (
    INCONCLUSIVE,
    NOT_COMPARABLE,
    NOT_TESTED,
    PhaseMovement,
    paired_effect,
    verdict,
)
from rlvid.claims.spec import BEST_TRIVIAL, ClaimSpec
from rlvid.errors import RlvidError
from rlvid.results import BASELINE, TRIVIAL, is_seed_row, per_seed, row_kind
from rlvid.runtime import write_json

Tables = dict[str, dict[str, Any]]
CLAIM_KEYS = ("id", "paper", "where", "statement", "paper_value", "metric", "effect", "ci95",
              "n_seeds", "wins", "control", "compute_ratio", "verdict", "reason")
MIN_TRAINED_SEEDS = 5  # the standard of evidence at the cpu and paper profiles
# Primary metrics whose floor every trivial output reaches by construction (a test shows
# it): metric -> (floor, why). The floor joins the table's trivial rows in the check.
# The floor is named like a row: "the best trivial row, <name> (<value>)".
METRIC_FLOORS: dict[str, tuple[float, str]] = {
    "gated_acc": (0.0, "the floor of every trivial output (no frame with both the twin's "
                       "shapes and its colours)"),
    "coherent_pairs": (0.0, "the floor of every trivial output (no translated frame)"),
    "gated_share": (0.0, "the floor of every trivial output (no frame both judged target "
                         "and shaped like the twin)"),
    "flow_recovery": (0.0, "the unfilled video (O = 0 by definition)"),
}

def all_claims() -> tuple[ClaimSpec, ...]:
    """The claims of both papers, in page order."""
    from rlvid.rovr.paper import CLAIMS as ROVR_CLAIMS
    from rlvid.v2v.paper import CLAIMS as V2V_CLAIMS

    return tuple(V2V_CLAIMS) + tuple(ROVR_CLAIMS)


def _entry(spec: ClaimSpec, verdict_: str, reason: str, **measured: Any) -> dict[str, Any]:
    control = spec.control + (f" ({spec.control_note})" if spec.control_note else "")
    entry = {"id": spec.id, "paper": spec.paper, "where": spec.where,
             "statement": spec.statement, "paper_value": spec.paper_value,
             "metric": spec.metric, "effect": None, "ci95": None, "n_seeds": 0, "wins": 0,
             "control": control, "compute_ratio": None, "verdict": verdict_, "reason": reason,
             "table": spec.table, "method": spec.method}
    entry.update(measured)
    return entry


def _compute_ratio(rows: Sequence[Mapping[str, Any]], spec: ClaimSpec) -> float | None:
    """Mean over paired seeds of the control's FLOPs over the method's."""
    a = per_seed(rows, spec.key, spec.method, "flops")
    b = per_seed(rows, spec.key, spec.control, "flops")
    ratios = [b[s] / a[s] for s in a if s in b and a[s] > 0]
    return sum(ratios) / len(ratios) if ratios else None


def _phase(rows: Sequence[Mapping[str, Any]], spec: ClaimSpec) -> PhaseMovement:
    """The least any seed's phase moved: its smallest ``param_change`` and update count
    (a row without them did not record a phase, and counts as not moved)."""
    change = per_seed(rows, spec.key, spec.method, "param_change")
    updates = per_seed(rows, spec.key, spec.method, "phase_updates")
    return PhaseMovement(int(min(updates.values(), default=0)),
                         min(change.values(), default=0.0),
                         min_updates=spec.min_updates,
                         min_param_change=spec.min_param_change)


def _judge_exponent(spec: ClaimSpec, table: Mapping[str, Any]) -> dict[str, Any]:
    """Sub-quadratic, unlike the control: the method's fitted exponent has its CI below 2,
    and the control's CI lies above the method's (effect = 2 − exponent)."""
    rows = {r.get(spec.key): r for r in table["rows"]}
    row = rows.get(spec.method)
    if row is None or "exponent_ci95" not in row:
        return _entry(spec, NOT_TESTED, f"{spec.table} has no {spec.method} row with a CI")
    lo, hi = (float(v) for v in row["exponent_ci95"])
    span = f"T = {row.get('t_min', '?')}–{row.get('t_max', '?')}"
    measured = {"effect": 2 - float(row["exponent"]), "ci95": [2 - hi, 2 - lo],
                "n_seeds": int(row.get("repeats", 0)), "wins": None}  # no seeds: a fit
    text = f"{spec.method} T^{float(row['exponent']):.2f} [{lo:.2f}, {hi:.2f}] over {span}"
    other = rows.get(spec.control)
    if other is None or "exponent_ci95" not in other:
        return _entry(spec, NOT_TESTED, f"{text}; no {spec.control} row to set it against",
                      **measured)
    c_lo, c_hi = (float(v) for v in other["exponent_ci95"])
    text += f"; {spec.control} T^{float(other['exponent']):.2f} [{c_lo:.2f}, {c_hi:.2f}]"
    text += " (a cost claim: no trivial or baseline row applies)"
    if lo >= 2:
        return _entry(spec, "refuted", f"{text}: the method is at least quadratic", **measured)
    if hi < 2 and c_lo > hi:
        return _entry(spec, "reproduced", f"{text}: below 2, and below the control",
                      **measured)
    if hi < 2 and c_hi < lo:
        return _entry(spec, "refuted", f"{text}: below 2, but the control grows slower",
                      **measured)
    return _entry(spec, INCONCLUSIVE, f"{text}: the CIs do not separate", **measured)


# ---------------------------------------------------------------- reference rows

def _arm(rows: Sequence[Mapping[str, Any]], key: str, name: str, metric: str,
         seeds: Sequence[int]) -> dict[int, float]:
    """Per-seed values of row ``name``; a deterministic reference row (seed "-") stands for
    every seed in ``seeds`` (the test videos are the same for every seed)."""
    values = per_seed(rows, key, name, metric)
    if values or not seeds:
        return values
    fixed = [float(r[metric]) for r in rows if r.get(key) == name and not is_seed_row(r)
             and isinstance(r.get(metric), (int, float)) and math.isfinite(float(r[metric]))]
    return {s: fixed[0] for s in seeds} if fixed else {}


def reference_scores(rows: Sequence[Mapping[str, Any]], key: str, metric: str, kind: str,
                     exclude: Sequence[str] = ()) -> dict[str, float]:
    """``{row name: score}`` of every row of ``kind`` on ``metric`` (seed rows: their mean
    over seeds), leaving out ``exclude``."""
    values: dict[str, list[float]] = {}
    for row in rows:
        name, value = row.get(key), row.get(metric)
        if name in exclude or row_kind(row, key) != kind or isinstance(value, bool) \
                or not isinstance(value, (int, float)) or not math.isfinite(float(value)):
            continue
        values.setdefault(str(name), []).append(float(value))
    return {k: sum(v) / len(v) for k, v in values.items()}


def _best(scores: Mapping[str, float], higher: bool) -> tuple[str, float] | None:
    if not scores:
        return None
    name = (max if higher else min)(scores, key=lambda k: scores[k])
    return name, scores[name]


def best_trivial(rows: Sequence[Mapping[str, Any]], key: str, metric: str, higher: bool
                 ) -> tuple[str, float] | None:
    """The best trivial row on ``metric``, the metric's construction floor included."""
    scores = reference_scores(rows, key, metric, TRIVIAL)
    if metric in METRIC_FLOORS:
        floor, name = METRIC_FLOORS[metric]
        scores.setdefault(name, floor)
    return _best(scores, higher)


def _same_regime(name: str, method: str) -> bool:
    """Table 2's rows are ``policy:regime``: compare a method with rows of its own Γ regime
    (or rows without Γ)."""
    return ":" not in method or ":" not in name or \
        name.split(":", 1)[1] == method.split(":", 1)[1]


def _beats(value: float, other: float, higher: bool) -> bool:
    return value > other if higher else value < other


def _where(means: Mapping[str, float], value: float, higher: bool) -> str:
    above = [n for n, m in means.items() if _beats(m, value, higher)]
    if len(means) == 1:
        return f"{next(iter(means))} {'beats' if above else 'does not beat'}"
    return ("both arms beat" if len(above) == 2 else f"only {above[0]} beats" if above
            else "neither arm beats")


def standing(spec: ClaimSpec, rows: Sequence[Mapping[str, Any]], a: Mapping[int, float],
             b: Mapping[int, float], control: str, trivial: tuple[str, float] | None,
             place_trivial: bool = True) -> str:
    """One computed sentence: where the arms stand against the best trivial row
    (``trivial``, :func:`best_trivial`, placed when ``place_trivial``) and the best baseline
    of the method's own regime, with the paired difference (and its 95% CI) of the better
    arm and that baseline. ``control``: the control's row name; a trivial control is no arm
    here, so only the method is placed."""
    higher, metric = spec.higher_is_better, spec.metric
    means = {spec.method: sum(a.values()) / len(a)}
    if spec.control != BEST_TRIVIAL:
        means[control] = sum(b.values()) / len(b)
    parts = []
    if place_trivial and spec.control != BEST_TRIVIAL:
        parts.append(f"{_where(means, trivial[1], higher)} the best trivial row, "
                     f"{trivial[0]} ({trivial[1]:.3g})" if trivial is not None
                     else f"no trivial row of {spec.table} scores {metric}")
    baselines = reference_scores(rows, spec.key, metric, BASELINE,
                                 exclude=(spec.method, spec.control))
    control_kind = next((row_kind(r, spec.key) for r in rows
                         if r.get(spec.key) == spec.control), None)
    baseline = _best({k: v for k, v in baselines.items() if _same_regime(k, spec.method)},
                     higher)
    if baseline is not None:
        better = max(means, key=lambda n: means[n] if higher else -means[n])
        arm = a if better == spec.method else b
        text = f"{_where(means, baseline[1], higher)} the best baseline, {baseline[0]} " \
               f"({baseline[1]:.3g})"
        base = _arm(rows, spec.key, baseline[0], metric, sorted(arm))
        if len(base) == len(arm) >= 2:
            eff = paired_effect(arm, base, higher)  # signed: positive = better than it
            text += (f"; {better} is {abs(eff.effect):.3g} {metric} "
                     f"{'better' if eff.effect > 0 else 'worse'} (95% CI of the gain "
                     f"[{eff.ci95[0]:+.3g}, {eff.ci95[1]:+.3g}])")
        parts.append(text)
    elif control_kind == BASELINE:
        parts.append(f"the control, {control}, is the table's only baseline")
    else:
        parts.append(f"no baseline of {spec.table} scores {metric}")
    return "; ".join(parts)


def judge(spec: ClaimSpec, tables: Tables) -> dict[str, Any]:
    """One claim's entry of ``claims.json`` (keys :data:`CLAIM_KEYS` and a few more)."""
    if spec.not_comparable:
        return _entry(spec, NOT_COMPARABLE, spec.not_comparable)
    table = tables.get(spec.table)
    if table is None:
        return _entry(spec, NOT_TESTED, f"table {spec.table} was not produced")
    if spec.kind == "exponent":
        return _judge_exponent(spec, table)
    rows = table["rows"]
    higher = spec.higher_is_better
    a = per_seed(rows, spec.key, spec.method, spec.metric)
    trivial = best_trivial(rows, spec.key, spec.metric, higher)
    if spec.control == BEST_TRIVIAL:
        b = {s: trivial[1] for s in a} if trivial else {}
        label = trivial[0] if trivial else BEST_TRIVIAL
    else:
        b, label = _arm(rows, spec.key, spec.control, spec.metric, sorted(a)), spec.control
    if not any(spec.metric in r for r in rows):
        commit = str(table.get("provenance", {}).get("git_commit") or "?")[:7]
        return _entry(spec, NOT_TESTED, f"the {spec.table} table (commit {commit}) has no "
                      f"{spec.metric} column: it predates the metric; rerun its notebook")
    if not a or not b:
        missing = [n for n, v in ((spec.method, a), (label, b)) if not v]
        return _entry(spec, NOT_TESTED,
                      f"{spec.table} has no per-seed {spec.metric} for {', '.join(missing)}")
    measured: dict[str, Any] = {"compute_ratio": _compute_ratio(rows, spec),
                                "n_seeds": len(a), "method_mean": sum(a.values()) / len(a),
                                "control_mean": sum(b.values()) / len(b)}
    if spec.control == BEST_TRIVIAL:
        measured["control_row"] = label
    position = standing(spec, rows, a, b, label, trivial)
    if spec.start is not None and trivial is not None:  # the arms' shared starting point
        start = per_seed(rows, spec.key, spec.start, spec.metric)
        above = [s for s, v in start.items() if _beats(v, trivial[1], higher)]
        measured.update(start_above_floor=len(above), start_seeds=len(start))
        position += (f"; {len(above)} of {len(start)} seeds' {spec.start} (the arms' common "
                     f"start) beat the best trivial row")
    measured["standing"] = position
    if spec.phase is not None:
        moved = _phase(rows, spec)
        measured["param_change"] = moved.param_change
        measured["phase_updates"] = moved.updates
        if not moved.moved:
            label_, reason = verdict(None, phase=moved)
            return _entry(spec, label_, f"{reason}; {position}", **measured)
    if trivial is not None and spec.control != BEST_TRIVIAL:
        winner = spec.method if _beats(measured["method_mean"], measured["control_mean"],
                                       higher) else label
        top = measured["method_mean"] if winner == spec.method else measured["control_mean"]
        if not _beats(top, trivial[1], higher):
            rest = standing(spec, rows, a, b, label, trivial, place_trivial=False)
            return _entry(spec, NOT_TESTED,
                          f"the task was not learned at this scale: the winning arm, {winner} "
                          f"({top:.3g}), does not beat the best trivial row, {trivial[0]} "
                          f"({trivial[1]:.3g}); {rest}", **measured)
    if len(a) < 2:
        return _entry(spec, INCONCLUSIVE, f"{len(a)} seed: a paired CI needs at least 2; "
                      f"{position}", **measured)
    eff = paired_effect(a, b, higher)
    verdict_, reason = verdict(eff, spec.paper_effect)
    if eff.n_seeds < MIN_TRAINED_SEEDS:
        reason += f" (only {eff.n_seeds} seeds; the standard is {MIN_TRAINED_SEEDS})"
    measured.update(effect=eff.effect, ci95=list(eff.ci95), n_seeds=eff.n_seeds,
                    wins=eff.wins, ci_method=eff.ci_method)
    return _entry(spec, verdict_, f"{reason}; {position}", **measured)


def load_tables(directory: str | Path) -> Tables:
    """Every result table (``*.json`` with rows) in ``directory``, by name."""
    tables = {}
    for path in sorted(Path(directory).glob("*.json")):
        table = json.loads(path.read_text())
        if isinstance(table, dict) and "rows" in table:
            tables[table.get("name", path.stem)] = table
    return tables


def evaluate_claims(directory: str | Path, only: Sequence[str] | None = None,
                    claims: Sequence[ClaimSpec] | None = None) -> list[dict[str, Any]]:
    """The entries of every claim judged from the tables in ``directory``; ``only``: just
    the claims on these tables (a notebook's own)."""
    tables = load_tables(directory)
    out = []
    for spec in all_claims() if claims is None else claims:
        if only is not None and spec.table not in only:
            continue
        entry = judge(spec, tables)
        prov = tables.get(spec.table, {}).get("provenance", {})
        entry["profile"] = prov.get("profile") or "-"
        entry["git_commit"] = prov.get("git_commit")
        out.append(entry)
    return out


def write_claims(directory: str | Path) -> Path:
    """Judge every claim on the tables in ``directory`` and write ``claims.json`` there
    (a claim whose table is missing is ``not tested``)."""
    directory = Path(directory)
    return write_json(directory / "claims.json", evaluate_claims(directory))


def load_claims(path: str | Path) -> list[dict[str, Any]]:
    """A ``claims.json`` written by :func:`write_claims`."""
    path = Path(path)
    if not path.is_file():
        raise RlvidError(f"no claims file at {path}")
    claims = json.loads(path.read_text())
    if not isinstance(claims, list) or any(set(CLAIM_KEYS) - set(c) for c in claims):
        raise RlvidError(f"{path} is not a claims file (a list of claims with {CLAIM_KEYS})")
    return claims
