"""The method registries (issue 25): rlvid.v2v.methods and rlvid.rovr.methods drive the
experiments' lists, the trainers, the step counts and the book's display names."""

from __future__ import annotations

import pytest
import torch

from rlvid.book.names import display_name
from rlvid.config import load_config
from rlvid.config.v2v import PROFILES, V2VConfig
from rlvid.errors import RlvidError
from rlvid.results import ROW_KINDS
from rlvid.rovr import methods as rovr_methods
from rlvid.rovr import table2
from rlvid.v2v import methods as v2v_methods
from rlvid.v2v.train import make_method, total_steps


@pytest.mark.parametrize("registry", [v2v_methods, rovr_methods])
def test_an_unknown_method_is_one_line_naming_the_known_ones(registry) -> None:
    with pytest.raises(RlvidError) as raised:
        registry.method_record("bogusgan")
    message = str(raised.value)
    assert "\n" not in message and "'bogusgan' is unknown" in message
    assert message.endswith(", ".join(registry.METHODS))


def test_fit_refuses_an_unknown_method_before_any_work(tmp_path) -> None:
    from rlvid.v2v.train import fit

    with pytest.raises(RlvidError, match="method 'bogusgan' is unknown; choose one of rlv2v"):
        fit(load_config("smoke"), "bogusgan", run_dir=tmp_path / "r")


def test_the_v2v_lists_are_the_registrys() -> None:
    assert v2v_methods.TRAINED_METHODS == ("rlv2v", "gan_continued", "recycle", "cyclegan")
    assert v2v_methods.STYLE_METHODS == ("rlv2v", "gan_continued", "cyclegan")
    assert v2v_methods.RL_METHODS == ("rlv2v", "rlv2v_untrained_q")
    assert v2v_methods.CLI_METHODS == ("rlv2v", "pretrain_only", "recycle", "cyclegan")
    assert v2v_methods.CURVE_METHODS == ("pretrain_only", "cyclegan")
    assert v2v_methods.BASELINES == ("recycle", "cyclegan")
    assert v2v_methods.with_pretraining(v2v_methods.STYLE_METHODS) == (
        "rlv2v", "gan_continued", "pretrain_only", "cyclegan")
    assert v2v_methods.with_pretraining(("cyclegan",)) == ("cyclegan",)


def test_a_new_baseline_is_one_registry_entry(monkeypatch) -> None:
    """An entry alone puts a baseline in the synthetic experiment, builds its trainer and
    gives its step count."""
    built = []
    entry = v2v_methods.Method(
        "framegan", "FrameGAN", lambda cfg, data, device, **o: built.append(o) or "trainer",
        lambda cfg, branch: {"width": 3}, lambda cfg, branch: 7 * cfg.v2v.batch_size,
        experiments=("synthetic",), kind="baseline")
    monkeypatch.setitem(v2v_methods.METHODS, "framegan", entry)
    assert v2v_methods.in_experiment("synthetic")[-1] == "framegan"
    assert make_method("framegan", load_config("smoke"), None, None) == "trainer"
    assert built == [{"width": 3}]
    assert total_steps("framegan", load_config("smoke")) == 14


def test_v2v_step_counts_at_smoke() -> None:
    cfg = load_config("smoke")  # pretraining 3; fill 2, warm-up 2, 3 DDPG updates
    steps = {name: (total_steps(name, cfg), total_steps(name, cfg, branch=True))
             for name in v2v_methods.METHODS}
    assert steps == {"rlv2v": (10, 7), "gan_continued": (60, 60), "rlv2v_untrained_q": (8, 5),
                     "pretrain_only": (3, 3), "recycle": (6, 6), "cyclegan": (6, 6)}


def test_the_registry_builds_each_methods_trainer() -> None:
    from rlvid.data import load_v2v_dataset
    from rlvid.v2v.training_parts import TrainingData

    cfg = load_config("smoke")
    data = TrainingData.from_dataset(load_v2v_dataset("synthetic", cfg.data, seed=0),
                                     torch.device("cpu"))
    classes = {name: type(make_method(name, cfg, data, torch.device("cpu"), branch=True))
               .__name__ for name in v2v_methods.METHODS}
    assert classes == {"rlv2v": "RLV2VGAN", "gan_continued": "RLV2VGAN",
                       "rlv2v_untrained_q": "RLV2VGAN", "pretrain_only": "RLV2VGAN",
                       "recycle": "RecycleGAN", "cyclegan": "CycleGAN"}
    branch = make_method("rlv2v", cfg, data, torch.device("cpu"), branch=True)
    assert branch.phases[0] == ("pretrain", 0)
    assert make_method("rlv2v_untrained_q", cfg, data, torch.device("cpu")).critic_mode == \
        "untrained"


def test_the_rovr_lists_are_the_registrys() -> None:
    assert rovr_methods.CONDITIONINGS == ("best", "random", "worst")
    assert rovr_methods.FLOW_SELECTORS == ("oracle", "sequential", "random")
    assert rovr_methods.IMITATION_RUNS == ("imitation_bce", "imitation_pair")
    assert rovr_methods.PPG_RUNS == ("rovr_flow_warm", "rovr_noflow_warm", "rovr_flow_cold")
    assert list(table2.ACTION_OF.items()) == [
        ("untrained_pair", "pair"), ("imitation_bce", "top2"), ("imitation_pair", "pair"),
        ("rovr_flow_warm", "pair"), ("rovr_noflow_warm", "pair"), ("rovr_flow_cold", "pair")]
    assert rovr_methods.SCALING_SELECTORS == (
        "rovr-paper-state", "rovr-incremental", "attention", "attention-query")
    assert table2.REGIMES == ("tuned", "frozen")


def test_kinds_agree_with_the_row_kinds() -> None:
    for method in [*v2v_methods.METHODS.values(), *rovr_methods.METHODS.values()]:
        assert ROW_KINDS.get(method.name) == method.kind, method.name


def test_display_names_and_labels_come_from_the_registries() -> None:
    assert not set(v2v_methods.display_names()) & set(rovr_methods.display_names())
    assert display_name("cyclegan") == "CycleGAN (frames)"
    assert display_name("recyclegan") == "Recycle-GAN"  # an older key
    assert display_name("rovr_noflow_warm:frozen") == "ROVR: no flow, warm start, Γ frozen"
    assert display_name("twin") == "twin"
    assert display_name("unfilled") == "unfilled holes"
    assert rovr_methods.TABLE2_LABELS["imitation_bce"] == "Imitation learning only (BCE, §6.2)"
    assert rovr_methods.TABLE2_LABELS["mean fill"].startswith("Mean fill: ")


def test_v2v_defaults_are_the_cpu_profiles() -> None:
    assert V2VConfig() == PROFILES["cpu"]
    assert V2VConfig().lr == 3e-3
    for profile in ("smoke", "paper"):  # both keep the paper-style rates
        v = PROFILES[profile]
        assert (v.lr, v.actor_lr, v.rl_batch_size, v.iterations_share) == (2e-4, 0.0, 0, 1.0)
    paper = PROFILES["paper"]
    assert (paper.batch_size, paper.q_patience, paper.flop_samples) == (8, 20, 2)
