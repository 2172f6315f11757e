"""Every trainer of the kit, built at a profile's sizes with a chosen batch, one step at a time.

Shared by ``bench/paper_dry_run.py`` (the ``paper`` profile on the CPU: seconds, FLOPs and
peak memory per step), ``bench/gpu_check.py`` (a lent GPU: steps/s and peak memory) and
``tests/test_paper_sizes.py`` (one step of each at the paper's frame sizes). A trainer here is
the kit's own trainer object; only the data is cut to a few videos (a step draws a batch, so
the set's size changes nothing in it) and the replay buffer to 64 transitions (the paper's
10,000 transitions of 10x3x128x128 floats would hold 20 GB of host memory).

    built = build("cyclegan", batch=2)
    out = built.step()  # one optimizer step: a rlvid.harness.StepOutput
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

# (name, what it is, the config field its batch sets)
TRAINERS: tuple[tuple[str, str, str], ...] = (
    ("v2v_pretrain", "RL-V2V-GAN GAN pretraining step (Alg. 1 line 2)", "v2v.batch_size"),
    ("v2v_algorithm1", "RL-V2V-GAN Algorithm 1, one video (DDPG update + D step)",
     "v2v.rl_batch_size"),
    ("cyclegan", "CycleGAN step (G and D)", "v2v.batch_size"),
    ("recycle", "Recycle-GAN step (G, P and D)", "v2v.batch_size"),
    ("rovr_local", "ROVR local net Gamma step (§6.1, L_P on)", "rovr.local.batch_size"),
    ("rovr_imitation", "ROVR imitation step (§6.2/§8, contrastive)", "rovr.imitation.batch_size"),
    ("rovr_ppg", "ROVR PPG policy iteration (rollout + PPO update)", "rovr.ppg.rollout_videos"),
)
NAMES = tuple(name for name, _, _ in TRAINERS)
BATCH_FIELD = {name: key for name, _, key in TRAINERS}
DESCRIPTION = {name: text for name, text, _ in TRAINERS}

# a few videos: one step needs only a batch's worth (bench_train.py uses these too)
FEW_VIDEOS = {"data.count_scale": 0.002, "data.min_videos": 8, "data.test_videos": 2,
              "v2v.buffer_size": 64}
FEW_MASKED = {"data.rovr_train_videos": 4, "data.rovr_test_videos": 2}


@dataclass
class Built:
    """A trainer ready to step: ``step()`` runs its next optimizer step."""

    name: str
    cfg: Any
    batch: int
    trainer: Any
    step_index: Callable[[], int]  # the harness index of the next step
    modules: list[torch.nn.Module] = field(default_factory=list)  # everything on the device

    def step(self) -> Any:
        return self.trainer.step(self.step_index())

    def model_bytes(self) -> int:
        """Bytes of every parameter and buffer the trainer holds (frozen nets included)."""
        seen: set[int] = set()
        total = 0
        for module in self.modules:
            for t in [*module.parameters(), *module.buffers()]:
                if id(t) not in seen:
                    seen.add(id(t))
                    total += t.numel() * t.element_size()
        return total


def profile_batch(name: str, profile: str = "paper") -> int:
    """The batch the profile trains ``name`` with (Algorithm 1's m: rl_batch_size or
    batch_size)."""
    from rlvid.config import load_config

    cfg = load_config(profile)
    value = cfg
    for part in BATCH_FIELD[name].split("."):  # a dotted name, e.g. rovr.local.batch_size
        value = getattr(value, part)
    return value or cfg.v2v.batch_size


def config_for(name: str, batch: int, profile: str = "paper",
               overrides: dict[str, Any] | None = None) -> Any:
    """The profile's config with a few videos and the trainer's batch set to ``batch``."""
    from rlvid.config import load_config

    few = FEW_MASKED if name.startswith("rovr") else FEW_VIDEOS
    extra = {BATCH_FIELD[name]: batch}
    if name == "v2v_algorithm1":  # the D step of lines 32-35 draws m videos too
        extra["v2v.batch_size"] = batch
    if name == "rovr_ppg":  # Gamma's fine-tuning batch cannot exceed the rollout's videos
        extra["rovr.ppg.local_batch"] = min(batch, load_config(profile).rovr.ppg.local_batch)
    return load_config(profile, {**(few if profile == "paper" else {}), **extra,
                                 **(overrides or {})})


def build(name: str, batch: int | None = None, profile: str = "paper",
          device: str | torch.device = "cpu", overrides: dict[str, Any] | None = None) -> Built:
    """Trainer ``name`` (one of :data:`NAMES`) at ``profile``'s sizes with ``batch`` (default:
    the profile's), seeded with 0, on ``device``."""
    from rlvid.runtime import seed_everything

    batch = batch or profile_batch(name, profile)
    cfg = config_for(name, batch, profile, overrides)
    device = torch.device(device)
    seed_everything(0)
    if name.startswith("rovr"):
        return _rovr(name, cfg, batch, device)
    return _v2v(name, cfg, batch, device)


def _counter(start: int = 0) -> Callable[[], int]:
    state = {"next": start}

    def next_index() -> int:
        state["next"] += 1
        return state["next"] - 1
    return next_index


def _v2v(name: str, cfg: Any, batch: int, device: torch.device) -> Built:
    from rlvid.data import load_v2v_dataset
    from rlvid.v2v.train import make_method
    from rlvid.v2v.training_parts import TrainingData

    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0), device)
    method = {"v2v_pretrain": "pretrain_only", "v2v_algorithm1": "rlv2v"}.get(name, name)
    trainer = make_method(method, cfg, data, device)
    index = _counter()
    if name == "v2v_algorithm1":
        trainer.start_rl()  # line 3 after line 2, then a few transitions to replay
        for _ in range(2):
            trainer.fill_step()
        first_rl = next(i for i in range(trainer.total_steps) if trainer.phase_of(i) == "rl")
        index = _counter(first_rl)
    modules = [trainer.nets] + ([trainer.target] if hasattr(trainer, "target") else [])
    return Built(name, cfg, batch, trainer, index, modules)


def _rovr(name: str, cfg: Any, batch: int, device: torch.device) -> Built:
    from rlvid.rovr.local import LocalTrainer

    if device.type != "cpu":
        raise NotImplementedError("ROVR's trainers build on the CPU and move nothing: "
                                  "they follow torch's default device")
    local = LocalTrainer(cfg)
    if name == "rovr_local":  # a step halfway through, where L_P's weight is past 0 (eq. 1)
        from rlvid.rovr.losses import vgg_model

        frozen = [vgg_model()[0]] if cfg.rovr.local.perceptual else []  # L_P's VGG16
        return Built(name, cfg, batch, local, _counter(cfg.rovr.local.iterations // 2),
                     [local.local, *frozen])
    state = local.state_dict()
    if name == "rovr_imitation":
        from rlvid.rovr.imitation import ImitationTrainer

        trainer = ImitationTrainer(cfg, state, cfg.rovr.imitation.loss, cfg.rovr.action)
        return Built(name, cfg, batch, trainer, _counter(), [trainer.policy])
    from rlvid.rovr.ppg_stage import PPGTrainer

    ppg = PPGTrainer(cfg, state, None, flow_reward=True)
    return Built(name, cfg, batch, ppg, _counter(), [ppg.policy, ppg.critic, ppg.local])


# ---------------------------------------------------------------- peak memory of a step


def _proc_status(key: str) -> int:
    """A ``/proc/self/status`` field in bytes (VmRSS: now, VmHWM: the peak)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


class PeakMemory:
    """The peak memory of what runs inside ``with PeakMemory(device) as peak:``, over what
    was allocated when it started (``peak.bytes`` after the block; ``peak.method`` says how).

    CUDA: ``torch.cuda.max_memory_allocated`` after a reset (tensors only). CPU: the kernel's
    peak-RSS mark (``VmHWM``) reset through ``/proc/self/clear_refs`` at the start, minus the
    RSS then (tensors, the allocator's slack and oneDNN's workspaces: measured, not counted
    from shapes); where the mark cannot be reset it says it is a FALLBACK (an upper bound that
    includes everything the process did before)."""

    def __init__(self, device: str | torch.device = "cpu"):
        self.device = torch.device(device)
        self.bytes = 0
        self.method = ""

    def __enter__(self) -> PeakMemory:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            torch.cuda.reset_peak_memory_stats(self.device)
            self.start = torch.cuda.memory_allocated(self.device)
            self.method = "torch.cuda.max_memory_allocated minus memory_allocated before"
            return self
        self.start = _proc_status("VmRSS")
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self.method = "VmHWM after a /proc/self/clear_refs reset, minus VmRSS before"
        except OSError:
            self.method = ("FALLBACK: VmHWM without a reset (clear_refs not writable), minus "
                           "VmRSS before: includes earlier peaks, an upper bound")
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)
            self.bytes = torch.cuda.max_memory_allocated(self.device) - self.start
        else:
            self.bytes = _proc_status("VmHWM") - self.start
