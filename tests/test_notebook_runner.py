"""The papermill runner: parameter checks, one-line failures, executed copies and logs."""

from __future__ import annotations

from pathlib import Path

import pytest

from rlvid.book.notebooks import (
    check_parameters,
    declared_parameters,
    notebook_sources,
    run_notebook,
)
from rlvid.errors import RlvidError

NOTEBOOK = '''# %% [markdown]
# # A tiny notebook

# %% tags=["parameters"]
profile = "cpu"
steps = 3
rate = 0.5
label = None

# %%
from rlvid.config import load_config
cfg = load_config(profile)
assert steps < 100, "too many steps"
print(cfg.profile, steps * 2)
'''


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    path = tmp_path / "99_tiny.py"
    path.write_text(NOTEBOOK)
    return path


def test_declared_parameters_read_from_the_tagged_cell(tiny: Path) -> None:
    assert declared_parameters(tiny) == {"profile": "cpu", "steps": 3, "rate": 0.5,
                                         "label": None}


@pytest.mark.parametrize(
    "params, fragment",
    [
        ({"stpes": 4}, "99_tiny has no parameter 'stpes'; its parameters: profile, steps"),
        ({"steps": "many"}, "parameter 'steps' must be int"),
        ({"steps": True}, "parameter 'steps' must be int"),
        ({"profile": 3}, "parameter 'profile' must be str"),
    ],
)
def test_bad_parameters_stop_in_one_line(tiny: Path, params: dict, fragment: str) -> None:
    with pytest.raises(RlvidError) as info:
        check_parameters(tiny, params)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_good_parameters_pass(tiny: Path) -> None:
    check_parameters(tiny, {"steps": 4, "rate": 1, "label": "x", "profile": "smoke"})


def test_run_executes_into_the_build_folder_with_a_log(tiny: Path, tmp_path: Path) -> None:
    out = run_notebook(tiny, profile="smoke", parameters={"steps": 5}, build_dir=tmp_path / "b")
    text = out.read_text()
    assert out == tmp_path / "b" / "notebooks" / "99_tiny.ipynb"
    assert "smoke 10" in text
    log = (tmp_path / "b" / "logs" / "99_tiny.log").read_text()
    assert "at profile smoke" in log


def test_failing_cell_is_one_line_naming_the_log(tiny: Path, tmp_path: Path) -> None:
    with pytest.raises(RlvidError) as info:
        run_notebook(tiny, profile="smoke", parameters={"steps": 500}, build_dir=tmp_path / "b")
    message = str(info.value)
    assert "AssertionError: too many steps" in message and "99_tiny.log" in message
    assert "\n" not in message


def test_every_notebook_declares_profile_cpu_by_default() -> None:
    sources = notebook_sources()
    assert sources, "no notebooks found"
    for source in sources:
        assert declared_parameters(source).get("profile") == "cpu", source.name
