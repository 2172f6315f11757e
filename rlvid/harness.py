"""One training loop for every trainer in the kit.

A trainer supplies its state and one step; the harness owns the rest, in this order:

1. seed python, numpy and torch, then build the trainer (so its initial weights are seeded);
2. resume from the run directory's checkpoint, RNG states included (bit-identical on CPU);
3. under ``torchrun``, let the trainer wrap its networks in DDP and shard its batches;
4. loop: step, NaN/Inf guard, counts per phase (wall time, updates, samples or transitions,
   FLOPs), TensorBoard scalars, a tqdm bar, atomic checkpoints every N steps and on
   SIGINT/SIGTERM, and a stop when the budget (steps, seconds or FLOPs) is spent;
5. a final checkpoint and ``history.json``. Only the main process writes.

FLOPs come from ``torch.utils.flop_counter`` on the first ``flop_samples`` steps of each
phase; later steps of the phase are counted at their mean (said in ``counts``), because the
counter's own overhead would distort the wall times it sits beside.

    result = train(lambda: MyTrainer(cfg), run_dir, total_steps=1000, seed=0)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from rlvid.errors import RlvidError
from rlvid.parallel import distributed
from rlvid.progress import progress as progress_bar
from rlvid.runtime import (
    CheckpointError,
    Run,
    TrainingDiverged,
    check_finite,
    load_checkpoint,
    save_checkpoint,
    seed_everything,
    stop_requests,
    write_json,
)
from rlvid.storage.rundir import RESUME_HINT, run_identity


@dataclass
class StepOutput:
    """What one step did: its losses (floats), phase, optimizer updates and samples."""

    losses: dict[str, float]
    phase: str = "train"
    updates: int = 1
    samples: int = 0  # training samples, or environment transitions collected


class Trainer(Protocol):
    def step(self, index: int) -> StepOutput: ...
    def state_dict(self) -> dict[str, Any]: ...
    def load_state_dict(self, state: dict[str, Any]) -> None: ...


@dataclass
class Budget:
    """Stop at the first limit reached; ``None`` is no limit. FLOPs make controls fair."""

    steps: int | None = None
    seconds: float | None = None
    flops: float | None = None

    def spent(self, steps: int, seconds: float, flops: float) -> bool:
        return ((self.steps is not None and steps >= self.steps)
                or (self.seconds is not None and seconds >= self.seconds)
                or (self.flops is not None and flops >= self.flops))


@dataclass
class PhaseCounts:
    steps: int = 0
    updates: int = 0
    samples: int = 0
    wall_s: float = 0.0
    flops: float = 0.0
    flops_measured_steps: int = 0
    flops_measured: float = 0.0  # FLOPs of the measured steps alone

    def add(self, out: StepOutput, seconds: float, flops: float | None) -> None:
        self.steps += 1
        self.updates += out.updates
        self.samples += out.samples
        self.wall_s += seconds
        if flops is not None:
            self.flops_measured_steps += 1
            self.flops_measured += flops
        self.flops = (self.flops_measured / self.flops_measured_steps * self.steps
                      if self.flops_measured_steps else 0.0)


@dataclass
class Result:
    run_dir: Path
    status: str  # "done", "budget" (a limit was reached) or "interrupted" (resumable)
    step: int
    history: list[dict[str, Any]] = field(default_factory=list)
    counts: dict[str, PhaseCounts] = field(default_factory=dict)

    def total(self, key: str) -> float:
        return _sum(self.counts, key)


def train(make_trainer: Callable[[], Trainer], run_dir: str | Path, total_steps: int,
          seed: int, config: Any = None, checkpoint_every: int = 50, log_every: int = 1,
          budget: Budget | None = None, max_steps: int | None = None,
          stop: dict[str, bool] | None = None, progress: bool = True, desc: str = "",
          flop_samples: int = 2, on_step: Callable[[int, StepOutput, Path], None] | None = None,
          meta: dict[str, Any] | None = None, backends: dict[str, str] | None = None,
          sections: tuple[str, ...] | None = None) -> Result:
    """Run ``make_trainer()``'s steps ``0 .. total_steps - 1``, resuming from ``run_dir``.

    ``max_steps`` (or SIGINT/SIGTERM, or ``stop["requested"]``) checkpoints and returns
    "interrupted"; calling again resumes. A spent ``budget`` ends the run as "budget".
    ``on_step(step, output, run_dir)`` runs after each step on the main process (e.g. to
    save a snapshot at a phase boundary). ``backends`` (metric backends in use) go into the
    run's ``provenance.json``. A NaN/Inf loss raises
    :class:`rlvid.runtime.TrainingDiverged` naming the loss and step; the last good
    checkpoint stays.

    The run folder must be empty, new or the kit's own, and hold this run: the same profile,
    seed, ``meta`` (method, stage) and hash of the config (its ``sections`` when given);
    anything else, or a second process training in it, is refused in one line.
    """
    ctx = distributed.context()
    run_dir = Path(run_dir)
    identity = run_identity(config, seed, meta, sections)
    run = (Run.create(run_dir.name, config, backends, root=run_dir.parent, identity=identity)
           if ctx.is_main else None)
    try:
        return _train(make_trainer, run, run_dir, total_steps, seed, checkpoint_every,
                      log_every, budget, max_steps, stop, progress, desc, flop_samples,
                      on_step, meta)
    finally:
        if run is not None:
            run.close()


def _train(make_trainer: Callable[[], Trainer], run: Run | None, run_dir: Path,
           total_steps: int, seed: int, checkpoint_every: int, log_every: int,
           budget: Budget | None, max_steps: int | None, stop: dict[str, bool] | None,
           progress: bool, desc: str, flop_samples: int,
           on_step: Callable[[int, StepOutput, Path], None] | None,
           meta: dict[str, Any] | None) -> Result:
    """:func:`train` once its run folder is claimed."""
    ctx = distributed.context()
    seed_everything(seed)
    trainer = make_trainer()
    start, history, counts = 0, [], {}
    if (run_dir / "checkpoint.pt").is_file():
        state = load_checkpoint(run_dir / "checkpoint.pt")  # restores the RNG states too
        if not {"trainer", "step", "history", "counts", "status"} <= set(state):
            raise CheckpointError(f"{run_dir / 'checkpoint.pt'}: written by an older rlvid "
                                  "(before the training harness); delete the run directory "
                                  "to train it again")
        if state.get("seed", seed) != seed:
            raise RlvidError(f"{run_dir}: holds the run of seed {state['seed']}, not "
                             f"{seed}; {RESUME_HINT}")
        trainer.load_state_dict(state["trainer"])
        start, history = state["step"], state["history"]
        counts = {k: PhaseCounts(**v) for k, v in state["counts"].items()}
        if state["status"] in ("done", "budget"):  # finished: nothing to resume
            return Result(run_dir, state["status"], start, history, counts)
    if ctx.active:
        if not hasattr(trainer, "distribute"):
            raise RlvidError(f"{type(trainer).__name__} does not train data-parallel; run one "
                             "process per GPU instead of torchrun")
        trainer.distribute(ctx)  # wrap trained networks in DDP, shard batches

    def checkpoint(step: int, status: str) -> None:
        state = trainer.state_dict()  # on every process: it may gather shards (PPG's buffer)
        if ctx.is_main:
            save_checkpoint(run_dir / "checkpoint.pt", {
                "trainer": state, "step": step, "history": history,
                "counts": {k: asdict(v) for k, v in counts.items()}, "status": status,
                "seed": seed, **(meta or {})})

    writer = run.writer() if run is not None else None
    status, step = "done", start
    guard = stop_requests() if stop is None else _Given(stop)
    with guard as flag:
        bar = progress_bar(range(start, total_steps), initial=start, total=total_steps,
                           desc=desc, enabled=progress and ctx.is_main)
        for step in bar:
            hint = trainer.phase_of(step) if hasattr(trainer, "phase_of") else \
                (history[-1]["phase"] if history else None)
            out, seconds, flops = _timed_step(trainer, step, counts.get(hint), flop_samples)
            losses = {k: ctx.mean(float(v)) for k, v in out.losses.items()}
            _check_finite(losses, step + 1, run_dir)  # NaN/Inf: raise; checkpoints stay
            counts.setdefault(out.phase, PhaseCounts()).add(out, seconds, flops)
            history.append({"step": step + 1, "phase": out.phase, **losses})
            if writer is not None and ((step + 1) % log_every == 0 or step + 1 == total_steps):
                for name, value in losses.items():
                    writer.add_scalar(f"{out.phase}/{name}", value, step + 1)
                writer.add_scalar("charts/steps_per_s", 1.0 / max(seconds, 1e-9), step + 1)
            if on_step is not None and ctx.is_main:
                on_step(step, out, run_dir)
            done = step + 1
            if done == total_steps:
                break
            if budget is not None and budget.spent(done, _sum(counts, "wall_s"),
                                                   _sum(counts, "flops")):
                status = "budget"
                break
            if flag["requested"] or done == max_steps:
                status = "interrupted"
                break
            if done % checkpoint_every == 0:
                checkpoint(done, "running")
        bar.close()
    step = len(history)
    if step > start:  # a finished run called again writes nothing
        checkpoint(step, status)
    if writer is not None:
        writer.close()
        write_json(run_dir / "history.json", history)
        write_json(run_dir / "counts.json", {k: asdict(v) for k, v in counts.items()})
    return Result(run_dir, status, step, history, counts)


def _timed_step(trainer: Trainer, step: int, phase: PhaseCounts | None,
                flop_samples: int) -> tuple[StepOutput, float, float | None]:
    """One step, its wall time, and its FLOPs while its phase has few measured steps."""
    measure = phase is None or phase.flops_measured_steps < flop_samples
    start = time.perf_counter()
    if not measure:
        out = trainer.step(step)
        return out, time.perf_counter() - start, None
    from torch.utils.flop_counter import FlopCounterMode

    with FlopCounterMode(display=False) as counter:
        out = trainer.step(step)
    return out, time.perf_counter() - start, float(counter.get_total_flops())


def _check_finite(losses: dict[str, float], step: int, run_dir: Path) -> None:
    """:func:`check_finite`, saying truly which checkpoint, if any, is kept."""
    try:
        check_finite(losses, step)
    except TrainingDiverged as exc:
        path = run_dir / "checkpoint.pt"
        kept = (f"the last good checkpoint {path} is kept" if path.is_file()
                else "no checkpoint was written before it")
        raise TrainingDiverged(f"{exc}; {kept}") from None


def _sum(counts: dict[str, PhaseCounts], key: str) -> float:
    return sum(getattr(c, key) for c in counts.values())


class _Given:
    """A caller's own stop flag, used as the context ``stop_requests`` would give."""

    def __init__(self, flag: dict[str, bool]):
        self.flag = flag

    def __enter__(self) -> dict[str, bool]:
        return self.flag

    def __exit__(self, *exc: Any) -> None:
        return None
