"""RL-V2V-GAN's methods, one :class:`Method` record each (issue 25): the code key, what the
book calls it, its trainer and how it is built, its harness steps, whether it has the RL
phase, and which experiments run it. :func:`rlvid.v2v.train.make_method`, the step counts,
the experiments' lists (:data:`TRAINED_METHODS`, :data:`STYLE_METHODS`, :data:`RL_METHODS`,
...) and the book's display names all read :data:`METHODS`; a new baseline is one record
here plus its network.

The reference rows (twin, identity, flat, ...) are not methods: :mod:`rlvid.v2v.references`
makes them and :data:`REFERENCE_NAMES` names them.

Loading this module loads the standard library only (``rlvid --help`` reads the method
names and must not import torch): a trainer's module is imported when it is built.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from rlvid.registry import lookup, names_in

# the experiments a method can appear in (Method.experiments)
EXPERIMENTS = {
    "synthetic": "notebook 10: the synthetic set, every method FLOP-matched to RL-V2V-GAN",
    "style": "notebooks 11-13: flowers, city and own videos (the book's time budget, errata)",
    "curves": "scripts/learning_curves.py: one seed to ~10x the cpu budget (issue 22)",
    "cli": "`rlvid train v2v --method`",
}


def _rlv2v_gan(cfg: Any, data: Any, device: Any, **options: Any) -> Any:
    from rlvid.v2v.algorithm1 import RLV2VGAN

    return RLV2VGAN(cfg, data, device, **options)


def _cyclegan(cfg: Any, data: Any, device: Any) -> Any:
    from rlvid.v2v.baselines import CycleGAN

    return CycleGAN(cfg, data, device)


def _recycle_gan(cfg: Any, data: Any, device: Any) -> Any:
    from rlvid.v2v.baselines import RecycleGAN

    return RecycleGAN(cfg, data, device)


def _rl_steps(cfg: Any, branch: bool, critic: str) -> int:
    """Pretraining (none for a branch) plus the RL phase's harness phases."""
    from rlvid.v2v.rl_phase import rl_phases

    v = cfg.v2v
    return (0 if branch else v.pretrain_iterations) + sum(n for _, n in rl_phases(v, critic))


def _pretraining_steps(cfg: Any, branch: bool) -> int:
    return cfg.v2v.pretrain_iterations


def _continued_steps(cfg: Any, branch: bool) -> int:
    """A cap of ``continued_cap`` x the RL phase's updates; a FLOP budget stops it first."""
    return cfg.v2v.continued_cap * max(1, cfg.v2v.rl_iterations)


def _baseline_steps(cfg: Any, branch: bool) -> int:
    v = cfg.v2v
    return v.baseline_iterations or (v.pretrain_iterations + v.rl_iterations)


def _gan_options(cfg: Any, branch: bool, rl: bool, critic: str = "warm") -> dict[str, Any]:
    """RL-V2V-GAN's trainer; a branch skips the pretraining its checkpoint holds."""
    return {"rl": rl, "pretrain_steps": 0 if branch else None, "critic": critic}


def _continued_options(cfg: Any, branch: bool) -> dict[str, Any]:
    """GAN steps past pretraining: its whole run is the "pretrain" phase."""
    return {"rl": False, "pretrain_steps": _continued_steps(cfg, branch)}


def _no_options(cfg: Any, branch: bool) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Method:
    """One method of the RL-V2V-GAN pages."""

    name: str  # the code key: run folders, table rows, ``--method``
    display: str  # what the book calls it
    trainer: Callable[..., Any]  # (cfg, data, device, **options) -> a harness trainer
    options: Callable[[Any, bool], dict[str, Any]]  # (cfg, branch) -> the trainer's options
    steps: Callable[[Any, bool], int]  # (cfg, branch) -> harness steps
    rl_phase: bool = False  # Algorithm 1's DDPG phase after the GAN pretraining
    branch: bool = False  # starts from the pretraining run's checkpoint (issue 13)
    experiments: tuple[str, ...] = ()  # keys of EXPERIMENTS
    kind: str | None = None  # its row kind (rlvid.results.ROW_KINDS); None: under study
    aliases: tuple[str, ...] = ()  # keys older results carry for it (display only)
    horizon: str | None = None  # the parameter that alone sets its steps (learning curves)

    def build(self, cfg: Any, data: Any, device: Any, branch: bool = False) -> Any:
        """Its trainer at ``cfg`` (``branch``: resumed from the pretraining checkpoint)."""
        return self.trainer(cfg, data, device, **self.options(cfg, branch))


RLV2V = Method(
    "rlv2v", "RL-V2V-GAN", _rlv2v_gan, functools.partial(_gan_options, rl=True),
    functools.partial(_rl_steps, critic="warm"), rl_phase=True, branch=True,
    experiments=("synthetic", "style", "cli"))
# the compute-matched control: GAN steps for the FLOPs of RL-V2V-GAN's RL phase
GAN_CONTINUED = Method(
    "gan_continued", "GAN continued (matched)", _rlv2v_gan, _continued_options,
    _continued_steps, branch=True, experiments=("synthetic", "style"))
RLV2V_UNTRAINED_Q = Method(
    "rlv2v_untrained_q", "RL-V2V-GAN, untrained Q", _rlv2v_gan,
    functools.partial(_gan_options, rl=True, critic="untrained"),
    functools.partial(_rl_steps, critic="untrained"), rl_phase=True, branch=True)
# the GAN pretraining alone (Alg. 1 line 2): the checkpoint every branch starts from
PRETRAIN_ONLY = Method(
    "pretrain_only", "pretraining only", _rlv2v_gan, functools.partial(_gan_options, rl=False),
    _pretraining_steps, experiments=("curves", "cli"), aliases=("pretrain",),
    horizon="v2v.pretrain_iterations")
RECYCLE = Method(
    "recycle", "Recycle-GAN", _recycle_gan, _no_options, _baseline_steps,
    experiments=("synthetic", "cli"), kind="baseline", aliases=("recyclegan",),
    horizon="v2v.baseline_iterations")
CYCLEGAN = Method(
    "cyclegan", "CycleGAN (frames)", _cyclegan, _no_options, _baseline_steps,
    experiments=("synthetic", "style", "curves", "cli"), kind="baseline",
    horizon="v2v.baseline_iterations")

# in the order the book lists them
METHODS: dict[str, Method] = {m.name: m for m in (
    RLV2V, GAN_CONTINUED, RLV2V_UNTRAINED_Q, PRETRAIN_ONLY, RECYCLE, CYCLEGAN)}
OURS = RLV2V.name  # the method under test: FLOP budgets and budget ratios are matched to it
PRETRAINING = PRETRAIN_ONLY.name  # the run the branches start from


def method_record(name: str) -> Method:
    """The record of method ``name``; an unknown name is one :class:`RlvidError` line."""
    return lookup(METHODS, name, "method")


def in_experiment(experiment: str) -> tuple[str, ...]:
    """The methods ``experiment`` (a key of :data:`EXPERIMENTS`) runs, in the book's order."""
    return names_in(METHODS, EXPERIMENTS, experiment)


def with_pretraining(methods: Iterable[str]) -> tuple[str, ...]:
    """``methods`` and, where a branch is among them, the pretraining run, in the book's
    order (the rows an experiment of these methods reports)."""
    names = set(methods)
    if any(method_record(n).branch for n in names):
        names.add(PRETRAINING)
    return tuple(n for n in METHODS if n in names)


TRAINED_METHODS = in_experiment("synthetic")  # + the pretraining run of the branches
STYLE_METHODS = in_experiment("style")
CLI_METHODS = in_experiment("cli")
CURVE_METHODS = in_experiment("curves")
RL_METHODS = tuple(m.name for m in METHODS.values() if m.rl_phase)
BASELINES = tuple(m.name for m in METHODS.values() if m.kind == "baseline")

# reference rows (not methods; rlvid.v2v.references): what the book calls them
REFERENCE_NAMES = {
    "twin": "twin",
    "identity": "identity (source)",
    "flat": "flat target colours",
    "shuffled": "shuffled source",
}


def display_names() -> dict[str, str]:
    """Every method key (aliases included) and reference row -> what the book calls it."""
    names = {key: m.display for m in METHODS.values() for key in (m.name, *m.aliases)}
    return {**names, **REFERENCE_NAMES}
