"""Every notebook's parameters are typed and documented, the way papermill reads them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rlvid.book.notebooks import (
    check_parameters,
    declared_parameters,
    find_notebook,
    notebook_parameters,
    notebook_sources,
    parameter_help,
    parse_parameters,
)
from rlvid.errors import RlvidError

SOURCES = notebook_sources()


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every notebook converted to .ipynb once (papermill cannot read .py)."""
    import jupytext

    out = tmp_path_factory.mktemp("ipynb")
    paths = {}
    for source in SOURCES:
        path = out / f"{source.stem}.ipynb"
        nb = jupytext.read(source)
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                     "language": "python"}
        jupytext.write(nb, path)
        paths[source.stem] = path
    return paths


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_papermill_help_knows_every_type(source: Path, converted: dict[str, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "papermill", "--help-notebook", str(converted[source.stem])],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Parameters inferred" in result.stdout
    assert "Unknown type" not in result.stdout, result.stdout
    for name in declared_parameters(source):
        assert f"  {name}: " in result.stdout, f"papermill does not list {name}"


@pytest.mark.parametrize("source", SOURCES, ids=[s.stem for s in SOURCES])
def test_every_parameter_has_a_type_and_help(source: Path) -> None:
    help_rows = parameter_help(source)
    assert [row[0] for row in help_rows] == list(declared_parameters(source))
    for name, kind, default, text in help_rows:
        assert kind and text, f"{source.stem}: {name} lacks a type or a help comment"
        assert default
    assert help_rows[0][:3] == ("profile", "str", '"cpu"')


CELL = '''from typing import Optional

# a comment line
profile: str = "cpu"  # smoke | cpu | paper
seeds: Optional[list] = None  # training seeds; None: the profile's
share: Optional[float] = None
steps = 3  # untyped
label: str = "a" + "b"  # not a literal
'''


def test_parse_parameters_reads_annotated_and_plain_assignments() -> None:
    params = {p.name: p for p in parse_parameters(CELL)}
    assert list(params) == ["profile", "seeds", "share", "steps", "label"]
    assert (params["profile"].type, params["profile"].default, params["profile"].help) == \
        ("str", "cpu", "smoke | cpu | paper")
    assert (params["seeds"].type, params["seeds"].default_repr) == ("Optional[list]", "None")
    assert params["seeds"].help == "training seeds; None: the profile's"
    assert params["share"].help == ""
    assert (params["steps"].type, params["steps"].default) == ("", 3)
    assert params["label"].default is None and params["label"].default_repr == '"a" + "b"'


def test_parameter_help_of_a_notebook_matches_its_declared_names() -> None:
    rows = parameter_help("13_your_videos")
    names = [r[0] for r in rows]
    assert names == list(declared_parameters("13_your_videos"))
    by = {r[0]: r for r in rows}
    assert by["x_dir"][1] == "Optional[str]" and by["x_dir"][2] == "None"
    assert by["test_share"][1] == "float" and by["test_share"][2] == "0.25"


def test_check_parameters_uses_the_declared_type(tmp_path: Path) -> None:
    path = tmp_path / "99_typed.py"
    path.write_text('# %% tags=["parameters"]\n' + CELL + "\n# %%\nprint(profile)\n")
    assert [p.name for p in notebook_parameters(path)][:2] == ["profile", "seeds"]
    check_parameters(path, {"seeds": [0, 1], "share": 2, "profile": "smoke"})
    check_parameters(path, {"seeds": None, "share": None})
    for params, fragment in (({"seeds": 3}, "parameter 'seeds' must be Optional[list]"),
                             ({"share": "x"}, "parameter 'share' must be Optional[float]"),
                             ({"share": True}, "parameter 'share' must be Optional[float]"),
                             ({"profile": None}, "parameter 'profile' must be str"),
                             ({"steps": "x"}, "parameter 'steps' must be int")):
        with pytest.raises(RlvidError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
            check_parameters(path, params)


OUT_OF_RANGE = [
    ("11_flower", {"iterations_share": float("nan")}, "must be finite"),
    ("11_flower", {"iterations_share": 0.0}, "must be > 0 and <= 1"),
    ("13_your_videos", {"test_share": 1.0}, "must be > 0 and < 1"),
    ("13_your_videos", {"procedural": "moon"}, "must be one of synthetic, flowers, city"),
    ("13_your_videos", {"x_dir": "/no/such/folder"}, "must be an existing folder"),
    ("10_synthetic", {"seeds": [0, 0]}, "must not repeat items"),
    ("10_synthetic", {"seeds": [-1]}, "items must be >= 0"),
    ("10_synthetic", {"seeds": []}, "at least 1 item"),
    ("14_real_footage", {"photo": "lena"}, "must be one of astronaut"),
    ("14_real_footage", {"fps": 0}, "must be > 0"),
    ("14_real_footage", {"speed": float("inf")}, "must be finite"),
    ("10_synthetic", {"profile": "huge"}, "must be one of smoke, cpu, paper"),
]


@pytest.mark.parametrize(("name", "values", "message"), OUT_OF_RANGE)
def test_out_of_range_parameters_are_refused(name: str, values: dict, message: str) -> None:
    with pytest.raises(RlvidError, match=message):
        check_parameters(find_notebook(name), {"profile": "smoke", **values})


def test_in_range_parameters_pass() -> None:
    check_parameters(find_notebook("10_synthetic"), {"profile": "smoke", "seeds": [0, 1]})
    check_parameters(find_notebook("14_real_footage"), {"photo": "coffee", "fps": 12})


def test_rlvid_run_refuses_a_nan_share_in_one_line_before_writing(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rlvid.cli import main
    from rlvid.paths import build_root

    logs = build_root("smoke") / "logs" / "11_flower.log"
    before = logs.stat().st_mtime_ns if logs.exists() else None
    assert main(["run", "11_flower", "--profile", "smoke", "-p", "iterations_share",
                 "nan"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rlvid: error:") and "finite" in err[0]
    assert (logs.stat().st_mtime_ns if logs.exists() else None) == before


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_every_cell_marker_is_a_cell_marker(source: Path) -> None:
    """``# %`` with one percent sign is a comment to jupytext, not a cell: the cell after it
    would silently join the cell before (how the learning-curve figures went missing)."""
    typos = [f"{source.name}:{n}" for n, line in
             enumerate(source.read_text(encoding="utf-8").splitlines(), 1)
             if line.startswith("# % ") or line.rstrip() == "# %"]
    assert not typos, f"'# %' is not a cell marker, write '# %%': {typos}"
