"""Every method with every seed, branched from one pretrained checkpoint per seed, then
evaluated here.

Per seed (issue 13): one GAN pretraining run (Alg. 1 line 2; its final translator is
``pretrain_only``), then branches from its checkpoint:

- ``rlv2v``: the RL phase (buffer fill, critic warm-up, Algorithm 1's DDPG updates);
- ``rlv2v_untrained_q`` (when asked for): the RL phase with Q left at its initialisation;
- ``gan_continued``: GAN training continued for the FLOPs of ``rlv2v``'s RL phase (the
  compute-matched control);

and the baselines ``cyclegan`` and ``recycle``, trained from scratch to ``rlv2v``'s total
FLOPs (pretraining + RL). The jobs run in three waves through :func:`rlvid.parallel.sweep.run_seeds`
(pretraining; RL branches; FLOP-matched runs), each in spawn-started processes with
``cfg.torch_threads`` threads; every job resumes from its run directory, so a killed
experiment run again (``fresh=False``) redoes only what did not finish.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from rlvid.errors import RlvidError
from rlvid.parallel.sweep import run_seeds
from rlvid.progress import progress
from rlvid.v2v.evaluate import evaluate_translation, translate_video
from rlvid.v2v.methods import OURS, PRETRAINING, RL_METHODS, TRAINED_METHODS, method_record
from rlvid.v2v.train import RunResult, fit, load_translator

RL_CURVE_KEYS = ("loss_q", "loss_actor", "q_mean", "buffer_size", "reward")


@dataclass
class Experiment:
    """Per-seed metric rows, seed-0 training histories (``histories[method]``), the RL
    phase's curves of every seed (``rl_curves[method][seed]``: one dict per step of the
    ``q_warmup`` and ``rl`` phases), every translation of the test videos
    (``outputs[method][seed]``) and the run directories (``run_dirs[(method, seed)]``)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    rl_curves: dict[str, dict[int, list[dict[str, Any]]]] = field(default_factory=dict)
    outputs: dict[str, dict[int, torch.Tensor]] = field(default_factory=dict)
    run_dirs: dict[tuple[str, int], Path] = field(default_factory=dict)

    def model_path(self, method: str, seed: int) -> Path:
        """The saved translator of ``method`` (pretrain_only: the pretraining run's)."""
        return self.run_dirs[(method, seed)] / "model.pt"

    def first_videos(self, seed: int, order: Sequence[str], index: int = 0
                     ) -> dict[str, torch.Tensor]:
        """Test video ``index`` as each method of ``order`` translated it with ``seed``."""
        return {m: self.outputs[m][seed][index] for m in order}


@dataclass
class Job:
    method: str
    seed: int
    run_dir: Path
    start_from: Path | None = None  # a branch: the pretraining run it starts from
    flops: float | None = None  # a FLOP budget
    steps: int | None = None  # a step cap (with a FLOP budget)


@dataclass
class FitJobs:
    """``fit`` of job ``k`` of ``jobs``, picklable for :func:`rlvid.parallel.sweep.run_seeds`."""

    cfg: Any
    data: Any
    dataset: str
    jobs: list[Job]

    def __call__(self, k: int) -> RunResult:
        j = self.jobs[k]
        return fit(self.cfg, j.method, seed=j.seed, run_dir=j.run_dir, data=self.data,
                   dataset=self.dataset, progress=False, start_from=j.start_from,
                   flops=j.flops, steps=j.steps)


def total(run: RunResult, key: str) -> float:
    """A harness count summed over the run's phases (``wall_s``, ``updates``, ``flops``...)."""
    return float(sum(getattr(c, key) for c in run.counts.values()))


def rl_record(run: RunResult, capacity: int) -> dict[str, Any]:
    """What the RL phase did: DDPG updates, new transitions, buffer fill, ‖Δθ‖/‖θ‖."""
    rl = [h for h in run.history if h["phase"] == "rl"]
    if not rl:
        raise RlvidError(f"{run.run_dir}: no RL-phase steps in the history")
    counts = run.counts
    record = {"phase_updates": counts["rl"].steps,
              "transitions": sum(counts[p].samples for p in ("rl_fill", "rl") if p in counts),
              "buffer_fill": rl[-1]["buffer_size"] / capacity,
              "param_change": rl[-1]["dtheta_policy"]}
    record.update({f"param_change_{k}": rl[-1][f"dtheta_{k}"] for k in ("Gx", "Gy", "Px", "Py")})
    return record


def rl_curve(run: RunResult) -> list[dict[str, Any]]:
    return [{"step": h["step"], "phase": h["phase"],
             **{k: h[k] for k in RL_CURVE_KEYS if k in h}}
            for h in run.history if h["phase"] in ("q_warmup", "rl")]


def train_and_evaluate(cfg: Any, data: Any, x_test: torch.Tensor,
                       evaluate: Callable[[torch.Tensor], dict[str, Any]],
                       root: str | Path, dataset: str,
                       methods: Sequence[str] = TRAINED_METHODS, fresh: bool = True,
                       backend: str = "process", workers: int | None = None) -> Experiment:
    """Train every method for every seed of ``cfg.seeds`` on ``data`` (anything with
    ``x, y, z, zbar``), translate ``x_test`` and score each translation with ``evaluate``.

    Each row: ``method``, ``seed``, the metrics, ``train_s``, ``updates``, ``flops``
    (totals over all phases, a branch's pretraining included), ``budget_ratio`` (FLOPs over
    ``rlv2v``'s of the same seed; not on ``rlv2v`` rows) and, for the RL methods,
    ``param_change`` (‖Δθ‖/‖θ‖ of Gx, Gy, Px, Py together over the RL phase; also per net),
    ``phase_updates`` (DDPG updates), ``transitions`` and ``buffer_fill``.
    ``pretrain_only`` comes with any of rlv2v, rlv2v_untrained_q, gan_continued.
    """
    root, v = Path(root), cfg.v2v
    methods = list(methods)
    branches = [m for m in methods if method_record(m).branch]
    matched = OURS in methods  # the others' FLOP budgets are then OURS's
    for name in branches:
        if not method_record(name).rl_phase and not matched:
            raise RlvidError(f"{name} is matched to {OURS}'s FLOPs: add {OURS} to methods")

    def where(name: str, seed: int) -> Path:
        return root / f"{dataset}-{name}-s{seed}"

    if fresh:
        for name in [*methods, PRETRAINING]:
            for seed in cfg.seeds:
                if where(name, seed).exists():
                    shutil.rmtree(where(name, seed))

    def wave(jobs: list[Job]) -> dict[tuple[str, int], RunResult]:
        fitted = run_seeds(FitJobs(cfg, data, dataset, jobs), range(len(jobs)),
                           threads=max(1, cfg.torch_threads), workers=workers, backend=backend)
        return {(j.method, j.seed): fitted[k] for k, j in enumerate(jobs)}

    seeds = list(cfg.seeds)
    runs: dict[tuple[str, int], RunResult] = {}
    if branches:  # wave 1: one pretrained checkpoint per seed
        runs.update(wave([Job(PRETRAINING, s, where(PRETRAINING, s)) for s in seeds]))
    runs.update(wave([Job(m, s, where(m, s), start_from=where(PRETRAINING, s))
                      for m in methods if m in RL_METHODS for s in seeds]))  # wave 2
    cap = v.continued_cap * (v.pretrain_iterations + v.rl_iterations)

    def budget(name: str, seed: int) -> Job:
        if not matched:
            return Job(name, seed, where(name, seed))
        if method_record(name).branch:  # the RL phase's FLOPs, from the same checkpoint
            return Job(name, seed, where(name, seed), where(PRETRAINING, seed),
                       flops=total(runs[(OURS, seed)], "flops"), steps=cap)
        spent = total(runs[(OURS, seed)], "flops") + total(runs[(PRETRAINING, seed)], "flops")
        return Job(name, seed, where(name, seed), flops=spent, steps=cap)

    runs.update(wave([budget(m, s) for m in methods if m not in RL_METHODS
                      for s in seeds]))  # wave 3
    return _evaluated(cfg, runs, methods, branches, x_test, evaluate)


def _evaluated(cfg: Any, runs: dict[tuple[str, int], RunResult], methods: list[str],
               branches: list[str], x_test: torch.Tensor,
               evaluate: Callable[[torch.Tensor], dict[str, Any]]) -> Experiment:
    """Rows, curves and translations of every (method, seed), in the order methods x seeds."""
    result = Experiment()
    order = [m for m in (OURS, *([PRETRAINING] if branches else []))
             if m in methods or m == PRETRAINING]
    order += [m for m in methods if m not in order]
    keys = [(m, s) for m in order for s in cfg.seeds]
    bar = progress(keys, desc="evaluating", total=len(keys))
    for method, seed in bar:
        bar.set_postfix_str(f"{method} s{seed}")
        run = runs[(method, seed)]
        result.run_dirs[(method, seed)] = run.run_dir
        out = translate_video(load_translator(result.model_path(method, seed))[0], x_test)
        row: dict[str, Any] = {"method": method, "seed": seed, **evaluate(out)}
        pre = runs.get((PRETRAINING, seed)) if method in branches else None
        for key, name in (("wall_s", "train_s"), ("updates", "updates"), ("flops", "flops")):
            row[name] = total(run, key) + (total(pre, key) if pre else 0.0)
        if method in RL_METHODS:
            row.update(rl_record(run, cfg.v2v.buffer_size))
            result.rl_curves.setdefault(method, {})[seed] = rl_curve(run)
        result.rows.append(row)
        result.outputs.setdefault(method, {})[seed] = out
        if seed == cfg.seeds[0]:
            result.histories[method] = run.history
    bar.close()
    ours = {r["seed"]: r["flops"] for r in result.rows if r["method"] == OURS}
    for row in result.rows:
        if row["method"] != OURS and ours.get(row["seed"]):
            row["budget_ratio"] = row["flops"] / ours[row["seed"]]
    return result


def run_experiment(cfg: Any, data: Any, root: str | Path,
                   methods: tuple[str, ...] = TRAINED_METHODS, fresh: bool = True,
                   dataset: str = "synthetic", backend: str = "process",
                   workers: int | None = None) -> dict[str, Any]:
    """The synthetic experiment: :func:`train_and_evaluate` on ``data.x_test`` scored by
    :func:`rlvid.v2v.evaluate.evaluate_translation`. Returns per-seed ``rows``,
    ``histories`` (seed 0), ``rl_curves`` and ``outputs`` (the first seed's translations)
    by method.
    """
    result = train_and_evaluate(cfg, data, data.x_test,
                                lambda out: evaluate_translation(out, data), root, dataset,
                                methods, fresh, backend=backend, workers=workers)
    first = cfg.seeds[0]
    return {"rows": result.rows, "histories": result.histories, "rl_curves": result.rl_curves,
            "outputs": {name: per_seed[first] for name, per_seed in result.outputs.items()}}
