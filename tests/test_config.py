"""Profiles, overrides and the one-line errors."""

from __future__ import annotations

import pytest

from rlvid.cli import main as cli_main
from rlvid.config import (
    PROFILE_NAMES,
    ConfigError,
    default_profile,
    load_config,
    parse_override,
    parse_value,
    validate_config,
)
from rlvid.errors import RlvidError


def test_profiles_grow_from_smoke_to_paper() -> None:
    smoke, cpu, paper = (load_config(p) for p in ("smoke", "cpu", "paper"))
    assert smoke.profile == "smoke" and cpu.profile == "cpu"
    assert smoke.data.size <= cpu.data.size < paper.data.size
    assert smoke.data.count_scale < cpu.data.count_scale
    assert smoke.v2v.pretrain_iterations < cpu.v2v.pretrain_iterations
    assert len(cpu.seeds) >= 5


def test_override_by_dotted_name_and_int_to_float() -> None:
    cfg = load_config("smoke", {"v2v.lr": 1, "seeds": [4, 5], "v2v.channels": [2, 4, 8]})
    assert cfg.v2v.lr == 1.0 and isinstance(cfg.v2v.lr, float)
    assert cfg.seeds == (4, 5)
    assert cfg.v2v.channels == (2, 4, 8)
    assert load_config("smoke", {"v2v.lr": None}).v2v.lr == load_config("smoke").v2v.lr


@pytest.mark.parametrize(
    "profile, overrides, fragment",
    [
        ("bogus", {}, "profile 'bogus' is unknown"),
        ("cpu", {"v2v.learning_rate": 1e-3}, "unknown parameter 'v2v.learning_rate'"),
        ("cpu", {"v2v.lr": "fast"}, "parameter 'v2v.lr' must be float"),
        ("cpu", {"seeds": [1, "a"]}, "parameter 'seeds' must be int"),
        ("cpu", {"v2v.lr.x": 1}, "parameter 'v2v.lr' has no field 'x'"),
    ],
)
def test_bad_input_is_one_clear_line(profile: str, overrides: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(profile, overrides)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_environment_variable_changes_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RLVID_PROFILE", raising=False)
    assert default_profile() == "cpu"
    monkeypatch.setenv("RLVID_PROFILE", "smoke")
    assert load_config().profile == "smoke"
    monkeypatch.setenv("RLVID_PROFILE", "bogus")
    with pytest.raises(ConfigError, match="RLVID_PROFILE='bogus' is not a profile"):
        load_config()
    assert set(PROFILE_NAMES) == {"smoke", "cpu", "paper"}


def test_cli_values_parse_as_yaml() -> None:
    assert parse_value("3") == 3
    assert parse_value("1e-3") == pytest.approx(1e-3)
    assert parse_value("[0, 1]") == [0, 1]
    assert parse_value("cpu") == "cpu"


def test_an_override_is_a_dotted_key_and_a_parsed_value() -> None:
    assert parse_override("v2v.lr=1e-3") == ("v2v.lr", pytest.approx(1e-3))
    assert parse_override("v2v.pretrain_iterations=600") == ("v2v.pretrain_iterations", 600)
    with pytest.raises(RlvidError, match="an override is KEY=VALUE"):
        parse_override("v2v.lr")


def test_cli_reports_bad_profile_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RLVID_PROFILE", "bogus")
    assert cli_main(["run", "00_toolkit"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rlvid: error:") and "bogus" in err and "\n" not in err


@pytest.mark.parametrize(
    "name, value, fragment",
    [
        ("v2v.lr", "-1", "'v2v.lr' must be > 0, got -1.0"),
        ("v2v.lr", "nan", "'v2v.lr' must be finite, got nan"),
        ("v2v.lr", "inf", "'v2v.lr' must be finite, got inf"),
        ("v2v.lr", "0", "'v2v.lr' must be > 0, got 0.0"),
        ("v2v.batch_size", "0", "'v2v.batch_size' must be >= 1, got 0"),
        ("v2v.pretrain_iterations", "-5", "'v2v.pretrain_iterations' must be >= 1, got -5"),
        ("rovr.gumbel_temperature", "0", "'rovr.gumbel_temperature' must be > 0, got 0.0"),
        ("rovr.ppg.clip", "-0.5", "'rovr.ppg.clip' must be > 0, got -0.5"),
        ("v2v.eps1", "1.5", "'v2v.eps1' must be >= 0 and <= 1, got 1.5"),
        ("v2v.betas", "[0.5, 1.0]", "'v2v.betas' items must be >= 0 and < 1, got 1.0"),
        ("v2v.channels", "[4, 8]", "'v2v.channels' must have 3 items, got 2"),
        ("data.size", "20", "'data.size' must be a multiple of 8, got 20"),
        ("v2v.kernel_size", "4", "'v2v.kernel_size' must be odd, got 4"),
        ("seeds", "[]", "'seeds' must have at least 1 item(s), got 0"),
        ("device", "gpu", "'device' must match"),
        ("data.rovr_size", "34", "the ROVR frame size must be divisible by 2^"),
    ],
)
def test_out_of_range_values_are_refused(name: str, value: str, fragment: str) -> None:
    profile = "cpu" if name == "data.rovr_size" else "smoke"  # cpu's UNet pools twice
    with pytest.raises(ConfigError) as info:
        load_config(profile, {name: parse_value(value)})
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_every_profile_is_valid_and_every_number_has_a_declared_range() -> None:
    import dataclasses

    for profile in PROFILE_NAMES:
        assert validate_config(load_config(profile)).profile == profile
    cfg = load_config("smoke")
    for section in (cfg, cfg.data, cfg.v2v, cfg.rovr):
        for f in dataclasses.fields(section):
            value = getattr(section, f.name)
            if isinstance(value, (int, float, tuple)) and not isinstance(value, bool):
                assert "rule" in f.metadata, f.name


def test_validate_config_catches_values_set_without_load_config() -> None:
    import dataclasses

    cfg = load_config("smoke")
    bad = dataclasses.replace(cfg, v2v=dataclasses.replace(cfg.v2v, lr=float("nan")))
    with pytest.raises(ConfigError, match="'v2v.lr' must be finite"):
        validate_config(bad)
    edges = {"v2v.eps1": 0, "v2v.rl_iterations": 0, "v2v.actor_lr": 0, "v2v.lr": 1e-9}
    assert load_config("smoke", edges).v2v.eps1 == 0.0  # the ends of each range are valid
