"""Every claim of the two papers that this kit tests, judged with paired evidence.

Each claim is a :class:`rlvid.results.ClaimSpec`: two arms of one result table (the method
under test and its control), one metric, and what the paper says. :func:`judge` pairs the
arms' per-seed rows by seed and returns one of the five verdicts of :mod:`rlvid.evidence`,
checked in this order:

1. ``not comparable``: the claim says why it cannot be tested here;
2. ``not tested``: the table, or one of the arms, is missing, or the phase under test did
   not move (its ``param_change`` or ``phase_updates`` is below the claim's threshold);
3. ``not comparable``: a content-free reference row wins the metric on this data
   (:func:`rlvid.results.gameable_metrics`), so no verdict rests on it;
4. ``reproduced`` / ``refuted`` / ``inconclusive``: from the 95% CI of the mean paired
   difference (Student-t over seeds), signed so that positive is the paper's direction.

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

from rlvid.errors import RlvidError
from rlvid.evidence import (
    INCONCLUSIVE,
    NOT_COMPARABLE,
    NOT_TESTED,
    PhaseMovement,
    paired_effect,
    verdict,
)
from rlvid.results import ClaimSpec, gameable_metrics, per_seed
from rlvid.runtime import write_json

Tables = dict[str, dict[str, Any]]
CLAIM_KEYS = ("id", "paper", "where", "statement", "paper_value", "metric", "effect", "ci95",
              "n_seeds", "wins", "control", "compute_ratio", "verdict", "reason")
MIN_TRAINED_SEEDS = 5  # the standard of evidence at the cpu and paper profiles

# §1, §2 of ROVR: the only claim not decided by seeds but by a fitted exponent
SCALING = ClaimSpec(
    "R5", "ROVR", "§1, §2",
    "ROVR chooses conditioning frames in sub-quadratic time in the video length, unlike "
    "attention.", "no measurement in the paper", "rovr_scaling", "exponent", False,
    "rovr-incremental", "attention", key="selector",
    control_note="an attention selector over all frames, timed in the same run",
    kind="exponent")


def all_claims() -> tuple[ClaimSpec, ...]:
    """The claims of both papers, in page order."""
    from rlvid.rovr.paper import CLAIMS as ROVR_CLAIMS
    from rlvid.v2v.paper import CLAIMS as V2V_CLAIMS

    return tuple(V2V_CLAIMS) + tuple(ROVR_CLAIMS) + (SCALING,)


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
                "n_seeds": int(row.get("repeats", 0)), "wins": 0}
    text = f"{spec.method} T^{float(row['exponent']):.2f} [{lo:.2f}, {hi:.2f}] over {span}"
    other = rows.get(spec.control)
    if other is None or "exponent_ci95" not in other:
        return _entry(spec, NOT_TESTED, f"{text}; no {spec.control} row to set it against",
                      **measured)
    c_lo, c_hi = (float(v) for v in other["exponent_ci95"])
    text += f"; {spec.control} T^{float(other['exponent']):.2f} [{c_lo:.2f}, {c_hi:.2f}]"
    if lo >= 2:
        return _entry(spec, "refuted", f"{text}: the method is at least quadratic", **measured)
    if hi < 2 and c_lo > hi:
        return _entry(spec, "reproduced", f"{text}: below 2, and below the control",
                      **measured)
    if hi < 2 and c_hi < lo:
        return _entry(spec, "refuted", f"{text}: below 2, but the control grows slower",
                      **measured)
    return _entry(spec, INCONCLUSIVE, f"{text}: the CIs do not separate", **measured)


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
    a = per_seed(rows, spec.key, spec.method, spec.metric)
    b = per_seed(rows, spec.key, spec.control, spec.metric)
    if not a or not b:
        missing = [n for n, v in ((spec.method, a), (spec.control, b)) if not v]
        return _entry(spec, NOT_TESTED,
                      f"{spec.table} has no per-seed {spec.metric} for {', '.join(missing)}")
    measured: dict[str, Any] = {"compute_ratio": _compute_ratio(rows, spec),
                                "n_seeds": len(a)}
    if spec.phase is not None:
        moved = _phase(rows, spec)
        measured["param_change"] = moved.param_change
        measured["phase_updates"] = moved.updates
        if not moved.moved:
            return _entry(spec, *verdict(None, phase=moved), **measured)
    gamed = dict(table.get("gameable") or {})
    gamed.update(gameable_metrics(rows, spec.key, {spec.metric: spec.higher_is_better},
                                  [spec.method, spec.control]))
    if spec.metric in gamed:
        return _entry(spec, NOT_COMPARABLE,
                      f"{spec.metric} is gameable on this data: {gamed[spec.metric]}", **measured)
    if len(a) < 2:
        mean = a[min(a)] - b.get(min(a), math.nan)
        effect = mean if spec.higher_is_better else -mean
        return _entry(spec, INCONCLUSIVE, f"{len(a)} seed: a paired CI needs at least 2",
                      effect=effect, **measured)
    eff = paired_effect(a, b, spec.higher_is_better)
    label, reason = verdict(eff, spec.paper_effect)
    if eff.n_seeds < MIN_TRAINED_SEEDS:
        reason += f" (only {eff.n_seeds} seeds; the standard is {MIN_TRAINED_SEEDS})"
    measured.update(effect=eff.effect, ci95=list(eff.ci95), n_seeds=eff.n_seeds,
                    wins=eff.wins, ci_method=eff.ci_method,
                    method_mean=sum(a.values()) / len(a),
                    control_mean=sum(b.values()) / len(b))
    return _entry(spec, label, reason, **measured)


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


def summary_rows(claims: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One display row per claim: the paper's value beside our effect ± CI, wins, the
    control and its compute ratio, and the verdict."""
    rows = []
    for c in claims:
        ci = c.get("ci95")
        ours = "–" if c.get("effect") is None else (
            f"{float(c['effect']):+.3g}" + (f" [{ci[0]:+.3g}, {ci[1]:+.3g}]" if ci else ""))
        rows.append({"claim": f"{c['id']} · {c['where']}", "paper": c["paper_value"],
                     "metric": c["metric"], "ours: effect [95% CI]": ours,
                     "wins": f"{c['wins']}/{c['n_seeds']}" if c.get("n_seeds") else "–",
                     "control": c["control"],
                     "compute ratio": (None if c.get("compute_ratio") is None
                                       else round(float(c["compute_ratio"]), 2)),
                     "verdict": c["verdict"]})
    return rows
