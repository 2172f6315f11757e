"""Learning curves (issue 22): one method, one seed, trained to a horizon, its translator
scored at each of ``points`` harness steps against the FLOPs spent so far.

The run is one :func:`rlvid.v2v.train.fit` resumed point after point (``max_steps``), so the
curve's last point is the run a profile of that length would train, bit for bit; between
points the translator is rebuilt from the checkpoint, its batch-norm statistics recomputed
on X as for a saved model (errata), and scored on the test videos. The primary metrics of
the claims (content-gated accuracy on the synthetic set, gated share on flowers and city,
coherent pairs on all three) are among the scores; each trivial row scores its floor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import torch

from rlvid.errors import RlvidError
from rlvid.nn.blocks import recalibrated
from rlvid.runtime import load_checkpoint, resolve_device
from rlvid.v2v.evaluate import translate_video
from rlvid.v2v.experiment import total
from rlvid.v2v.methods import CURVE_METHODS, method_record
from rlvid.v2v.train import fit, make_method
from rlvid.v2v.training_parts import TrainingData


def curve_overrides(method: str, steps: int) -> dict[str, int]:
    """Config overrides that make ``method`` (one of :data:`CURVE_METHODS`: GAN pretraining,
    Alg. 1 line 2, and a baseline) train for ``steps`` harness steps."""
    horizon = method_record(method).horizon
    if method not in CURVE_METHODS or horizon is None:
        raise RlvidError(f"no learning curve for {method!r}; choose one of "
                         f"{', '.join(CURVE_METHODS)}")
    return {horizon: steps}


def snapshot_translator(cfg: Any, method: str, run_dir: Path, training: TrainingData
                        ) -> torch.nn.Module:
    """The x -> y translator held by ``run_dir``'s checkpoint, BN recomputed on X."""
    device = resolve_device(cfg.device)
    state = load_checkpoint(run_dir / "checkpoint.pt", restore_rng=False)
    trainer = make_method(method, cfg, training, device)
    trainer.load_state_dict(state["trainer"])
    return recalibrated(trainer.translator(), training.x, cfg.v2v.batch_size)


def scalar_scores(scores: dict[str, Any]) -> dict[str, float]:
    """The finite-or-not scalar entries of a metric dict (per-frame lists left out)."""
    return {k: float(v) for k, v in scores.items() if isinstance(v, int | float)}


def learning_curve(cfg: Any, method: str, data: Any, dataset: str,
                   evaluate: Callable[[torch.Tensor], dict[str, Any]], run_dir: str | Path,
                   points: Sequence[int], seed: int = 0,
                   on_point: Callable[[list[dict[str, Any]]], None] | None = None,
                   scored: Sequence[dict[str, Any]] = ()) -> list[dict[str, Any]]:
    """Train ``method`` (``cfg`` sets its horizon, see :func:`curve_overrides`) and score
    it at every step count of ``points`` (ascending). One row per point: ``step``,
    ``flops`` and ``train_s`` spent so far, and ``evaluate``'s scalars. ``on_point`` sees
    the rows after each point (to write them as they come). A signal ends the curve at the
    checkpoint it leaves; called again with the rows it ``scored``, it resumes from there
    (a point the checkpoint has passed cannot be scored any more, and is skipped)."""
    run_dir = Path(run_dir)
    training = TrainingData.from_dataset(data, resolve_device(cfg.device))
    rows: list[dict[str, Any]] = list(scored)
    reached = 0
    if (run_dir / "checkpoint.pt").is_file():
        reached = int(load_checkpoint(run_dir / "checkpoint.pt", restore_rng=False)["step"])
    for k in sorted(points):
        if k < reached or any(r["step"] == k for r in rows):
            continue
        run = fit(cfg, method, seed, run_dir, data=data, dataset=dataset, max_steps=k,
                  progress=False)
        if run.step < k:  # SIGINT/SIGTERM: checkpointed, the rest on the next call
            break
        net = snapshot_translator(cfg, method, run_dir, training)
        scores = scalar_scores(evaluate(translate_video(net, data.x_test)))
        rows.append({"method": method, "seed": seed, "step": run.step,
                     "flops": total(run, "flops"), "train_s": total(run, "wall_s"), **scores})
        if on_point is not None:
            on_point(rows)
    return rows


def first_step_beating(rows: Sequence[dict[str, Any]], metric: str, floor: float,
                       margin: float) -> int | None:
    """The first step from which ``metric`` stays above ``floor + margin`` to the curve's
    end (None: never): the smallest budget at which the method clearly beats the best
    trivial row."""
    ordered = sorted(rows, key=lambda r: r["step"])
    for i, row in enumerate(ordered):
        if all(r[metric] > floor + margin for r in ordered[i:]):
            return int(row["step"])
    return None
