"""Every method with every seed: train in parallel processes, then evaluate here.

:func:`train_and_evaluate` runs the (method, seed) fits through :func:`rlvid.sweep.run_seeds`
(spawn-started processes, ``threads`` torch threads each; each fit seeds itself, so the
weights are those of a serial run), then translates the test videos with every saved
translator and scores them in this process, in the order methods x seeds.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from rlvid.progress import progress
from rlvid.sweep import run_seeds
from rlvid.v2v.evaluate import evaluate_translation, translate_video
from rlvid.v2v.train import RunResult, fit, load_translator

TRAINED_METHODS = ("rlv2v", "recycle", "cyclegan")  # pretrain_only comes with rlv2v's run


@dataclass
class Experiment:
    """Per-seed metric rows, seed-0 training histories, every translation of the test
    videos (``outputs[method][seed]``) and the run directories (``run_dirs[(method, seed)]``)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    outputs: dict[str, dict[int, torch.Tensor]] = field(default_factory=dict)
    run_dirs: dict[tuple[str, int], Path] = field(default_factory=dict)

    def model_path(self, method: str, seed: int) -> Path:
        """The saved translator of ``method`` (pretrain_only: rlv2v's pretrained snapshot)."""
        if method == "pretrain_only":
            return self.run_dirs[("rlv2v", seed)] / "pretrained.pt"
        return self.run_dirs[(method, seed)] / "model.pt"

    def first_videos(self, seed: int, order: Sequence[str], index: int = 0
                     ) -> dict[str, torch.Tensor]:
        """Test video ``index`` as each method of ``order`` translated it with ``seed``."""
        return {m: self.outputs[m][seed][index] for m in order}


@dataclass
class FitJobs:
    """``fit`` of job ``k`` of ``jobs`` ((method, seed, run_dir) triples), picklable for
    :func:`rlvid.sweep.run_seeds`; returns the result and the wall time in seconds."""

    cfg: Any
    data: Any
    dataset: str
    jobs: list[tuple[str, int, Path]]

    def __call__(self, k: int) -> tuple[RunResult, float]:
        method, seed, run_dir = self.jobs[k]
        start = time.perf_counter()
        fitted = fit(self.cfg, method, seed=seed, run_dir=run_dir, data=self.data,
                     dataset=self.dataset, progress=False)
        return fitted, time.perf_counter() - start


def train_and_evaluate(cfg: Any, data: Any, x_test: torch.Tensor,
                       evaluate: Callable[[torch.Tensor], dict[str, Any]],
                       root: str | Path, dataset: str,
                       methods: Sequence[str] = TRAINED_METHODS, fresh: bool = True,
                       backend: str = "process", workers: int | None = None) -> Experiment:
    """Train every method for every seed of ``cfg.seeds`` on ``data`` (anything with
    ``x, y, z, zbar``), translate ``x_test`` and score each translation with ``evaluate``.

    ``backend``/``workers``: as :func:`rlvid.sweep.run_seeds` (``"serial"`` trains here, in
    order). The pretrain-only ablation is the RL-V2V-GAN run's own pretrained snapshot (the
    same seed gives the same pretraining), so it costs no extra training; its ``train_s`` is
    the whole RL-V2V-GAN run's.
    """
    root = Path(root)
    jobs = [(method, seed, root / f"{dataset}-{method}-s{seed}")
            for method in methods for seed in cfg.seeds]
    if fresh:
        for _, _, run_dir in jobs:
            if run_dir.exists():
                shutil.rmtree(run_dir)
    fitted = run_seeds(FitJobs(cfg, data, dataset, jobs), range(len(jobs)),
                       threads=max(1, cfg.torch_threads), workers=workers, backend=backend)
    result = Experiment()
    bar = progress(range(len(jobs)), desc="evaluating", total=len(jobs))
    for k in bar:
        method, seed, run_dir = jobs[k]
        run, seconds = fitted[k]
        result.run_dirs[(method, seed)] = run_dir
        for name in [method] + (["pretrain_only"] if method == "rlv2v" else []):
            bar.set_postfix_str(f"{name} s{seed}")
            net, _ = load_translator(result.model_path(name, seed))
            out = translate_video(net, x_test)
            result.rows.append({"method": name, "seed": seed, "train_s": seconds,
                                **evaluate(out)})
            result.outputs.setdefault(name, {})[seed] = out
            if seed == cfg.seeds[0]:
                result.histories[name] = run.history
    bar.close()
    return result


def run_experiment(cfg: Any, data: Any, root: str | Path,
                   methods: tuple[str, ...] = TRAINED_METHODS, fresh: bool = True,
                   dataset: str = "synthetic", backend: str = "process",
                   workers: int | None = None) -> dict[str, Any]:
    """The synthetic experiment: :func:`train_and_evaluate` on ``data.x_test`` scored by
    :func:`rlvid.v2v.evaluate.evaluate_translation`. Returns per-seed ``rows`` (metrics plus
    ``train_s``), ``histories`` and ``outputs`` (the first seed's translations) by method.
    """
    result = train_and_evaluate(cfg, data, data.x_test,
                                lambda out: evaluate_translation(out, data), root, dataset,
                                methods, fresh, backend=backend, workers=workers)
    first = cfg.seeds[0]
    return {"rows": result.rows, "histories": result.histories,
            "outputs": {name: per_seed[first] for name, per_seed in result.outputs.items()}}
