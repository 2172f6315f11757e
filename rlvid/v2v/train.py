"""Training one V2V method with one seed: :func:`fit` through :func:`rlvid.harness.train`,
run directories, and the saved x -> y translators (``pretrained.pt``, ``model.pt``).

The harness seeds, builds the trainer, resumes, checkpoints, stops on a signal or a NaN and
writes ``history.json``; this module adds what is V2V's own: the translator snapshot when
pretraining ends (through ``on_step``) and the final one, both with their BN statistics
recomputed on X (errata).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from rlvid.harness import Budget, StepOutput
from rlvid.harness import train as harness_train
from rlvid.nn.blocks import recalibrated
from rlvid.nn.v2v import SeqToSeq
from rlvid.parallel import distributed
from rlvid.runtime import (
    CheckpointError,
    checkpoint_kind,
    load_checkpoint,
    load_weights,
    resolve_device,
    runs_root,
    save_checkpoint,
)
from rlvid.storage.rundir import run_identity
from rlvid.v2v.methods import OURS, method_record
from rlvid.v2v.training_parts import TrainingData


def make_method(name: str, cfg: Any, data: TrainingData, device: torch.device,
                branch: bool = False) -> Any:
    """The trainer of method ``name`` (:data:`rlvid.v2v.methods.METHODS`). ``branch``: it
    starts from a pretrained checkpoint, so RL-V2V-GAN skips pretraining and
    ``gan_continued`` (GAN steps past pretraining, stopped by a FLOP budget) runs up to
    :func:`total_steps` GAN steps."""
    return method_record(name).build(cfg, data, device, branch)


def save_translator(path: Path, net: SeqToSeq, method: str, cfg: Any) -> Path:
    """The x -> y translator alone, with what is needed to rebuild it (used by eval/translate)."""
    state = {"method": method, "profile": cfg.profile, "spec": net.spec,
             "frames": cfg.data.video_len, "size": cfg.data.size,
             "state_dict": net.state_dict()}
    save_checkpoint(path, state)
    return path


def load_translator(path: str | Path, device: str = "cpu") -> tuple[SeqToSeq, dict[str, Any]]:
    state = load_checkpoint(path, restore_rng=False)
    if "spec" not in state or "state_dict" not in state:
        raise CheckpointError(f"{path}: {checkpoint_kind(state)}, not a v2v translator; pass "
                              "model.pt or pretrained.pt of a `rlvid train v2v` run")
    try:
        net = SeqToSeq(**state["spec"]).to(device)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"{path}: its network spec is damaged ({exc})") from None
    load_weights(net, state["state_dict"], str(path))
    return net.eval(), state


@dataclass
class RunResult:
    run_dir: Path
    method: str
    seed: int
    status: str  # "done", "budget" (a FLOP budget ended it) or "interrupted"
    step: int
    history: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, Any] = field(default_factory=dict)  # harness PhaseCounts by phase


IDENTITY_SECTIONS = ("data", "v2v")  # the config a V2V run depends on


def run_identity_of(cfg: Any, method: str, seed: int, dataset: str) -> dict[str, Any]:
    """The identity :func:`fit` gives its run folder (:func:`rlvid.storage.rundir.run_identity`)."""
    return run_identity(cfg, seed, {"method": method, "dataset": dataset}, IDENTITY_SECTIONS)


def default_run_dir(method: str, seed: int, profile: str, dataset: str = "synthetic") -> Path:
    return runs_root() / f"v2v-{dataset}-{profile}-{method}-s{seed}"


def fit(cfg: Any, method: str = OURS, seed: int = 0, run_dir: str | Path | None = None,
        data: Any = None, dataset: str = "synthetic", max_steps: int | None = None,
        stop: dict[str, bool] | None = None, progress: bool = True,
        start_from: str | Path | None = None, flops: float | None = None,
        steps: int | None = None) -> RunResult:
    """Train one method with one seed; resume from ``run_dir``'s checkpoint if there is one.

    ``max_steps`` (or SIGINT/SIGTERM, or ``stop["requested"]``) checkpoints and returns with
    status "interrupted"; calling again resumes to the end with bit-identical results on the
    CPU. A NaN/Inf loss raises :class:`rlvid.runtime.TrainingDiverged` and keeps the last
    good checkpoint. Writes ``pretrained.pt`` when pretraining ends (RL-V2V-GAN) and
    ``model.pt`` at the end.

    ``start_from``: a finished ``pretrain_only`` run directory; the method is then a branch
    from its final state (networks and optimizers). ``flops``: stop once the run has spent
    this many FLOPs (the compute-matched control and the baselines); ``steps`` replaces
    :func:`total_steps` as the cap.
    """
    method_record(method)  # an unknown name: one RlvidError line
    device = resolve_device(cfg.device)
    if data is None:
        from rlvid.data import load_v2v_dataset

        data = load_v2v_dataset(dataset, cfg.data, seed=cfg.v2v.data_seed)
    run_dir = Path(run_dir) if run_dir else default_run_dir(method, seed, cfg.profile, dataset)
    training = TrainingData.from_dataset(data, device)
    built: list[Any] = []

    def make_trainer() -> Any:  # called by the harness after seeding
        built.append(make_method(method, cfg, training, device, branch=start_from is not None))
        if start_from is not None:  # the harness then resumes the branch's own checkpoint
            state = load_checkpoint(Path(start_from) / "checkpoint.pt", restore_rng=False)
            built[0].load_pretrained(state["trainer"])
        return built[0]

    def translator() -> SeqToSeq:
        """The x -> y translator to save: its BN statistics recomputed on X (errata)."""
        return recalibrated(built[0].translator(), training.x, cfg.v2v.batch_size)

    def on_step(step: int, out: StepOutput, where: Path) -> None:
        if out.phase == "pretrain" and built[0].last_of_phase(step):
            save_translator(where / "pretrained.pt", translator(), method, cfg)

    result = harness_train(
        make_trainer, run_dir, steps or total_steps(method, cfg, start_from is not None), seed,
        config=cfg, budget=None if flops is None else Budget(flops=flops),
        checkpoint_every=cfg.v2v.checkpoint_every, log_every=cfg.v2v.log_every,
        max_steps=max_steps, stop=stop, progress=progress, desc=f"{method} s{seed}",
        flop_samples=cfg.v2v.flop_samples, on_step=on_step,
        meta={"method": method, "dataset": dataset}, sections=IDENTITY_SECTIONS)
    if result.status in ("done", "budget") and distributed.context().is_main:  # rank 0 writes
        save_translator(run_dir / "model.pt", translator(), method, cfg)
    return RunResult(run_dir, method, seed, result.status, result.step, result.history,
                     result.counts)


def total_steps(method: str, cfg: Any, branch: bool = False) -> int:
    """Harness steps of ``method`` at ``cfg`` (:attr:`rlvid.v2v.methods.Method.steps`):
    pretraining plus Algorithm 1 for RL-V2V-GAN (Algorithm 1 alone for a ``branch``),
    pretraining alone for ``pretrain_only``, a cap of ``v.continued_cap`` x the RL phase's
    updates for ``gan_continued`` (a FLOP budget stops it), the baselines' own count
    otherwise."""
    return method_record(method).steps(cfg, branch)
