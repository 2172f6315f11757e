"""Profiles, overrides and the one-line errors."""

from __future__ import annotations

import pytest

from rlvid.cli import main as cli_main
from rlvid.cli import parse_value
from rlvid.config import PROFILE_NAMES, ConfigError, default_profile, load_config


def test_profiles_grow_from_smoke_to_paper() -> None:
    smoke, cpu, paper = (load_config(p) for p in ("smoke", "cpu", "paper"))
    assert smoke.profile == "smoke" and cpu.profile == "cpu"
    assert smoke.data.size <= cpu.data.size < paper.data.size
    assert smoke.data.count_scale < cpu.data.count_scale
    assert smoke.v2v.pretrain_iterations < cpu.v2v.pretrain_iterations
    assert len(cpu.seeds) >= 3


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


def test_cli_reports_bad_profile_in_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RLVID_PROFILE", "bogus")
    assert cli_main(["run", "00_toolkit"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("rlvid: error:") and "bogus" in err and "\n" not in err
