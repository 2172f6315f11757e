"""One line for every error a user can cause, and the smaller things: malformed ``-p``
values, a cache path that is a file, a diverging ROVR run, a file that is not a notebook, a
malformed result table, frame rates, masks that hide everything, macOS ``._`` files, honest
divergence messages and a ``rlvid --help`` that does not import torch.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _harness_toys import NoisyRegression
from _one_line import one_error_line
from _tiny_models import rovr_local, v2v_translator
from PIL import Image

from rlvid.cli import main
from rlvid.data.io import read_masks, read_video, write_video
from rlvid.harness import train
from rlvid.metrics.demo import demo_video
from rlvid.runtime import TrainingDiverged


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RLVID_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("RLVID_RUNS", str(tmp_path / "runs"))
    write_video(tmp_path / "clip", demo_video(16, 4, seed=0))
    v2v_translator(tmp_path / "model.pt")
    rovr_local(tmp_path / "local.pt", size=16)
    (tmp_path / "nb.py").write_text('# %% tags=["parameters"]\nprofile = "cpu"\nseeds = [0]\n')
    return tmp_path


def _cases(w: Path) -> dict[str, tuple[list[str], str]]:
    clip, model = str(w / "clip"), str(w / "model.pt")
    tr = ["translate", clip, "--checkpoint", model, "-o", str(w / "o.mp4")]
    (w / "table_rows.json").write_text('{"name": "t", "rows": 5}\n')
    (w / "table_items.json").write_text('{"name": "t", "rows": [1, 2]}\n')
    (w / "table_bin.json").write_bytes(b"\xff\xfe\x00garbage")
    (w / "table_ok.json").write_text('{"name": "t", "rows": [{"a": 1.0}]}\n')
    (w / "notes.txt").write_text("hello\n")
    (w / "binary.py").write_bytes(bytes(range(256)))
    (w / "bad.ipynb").write_text("{not json")
    return {
        "yaml-train": (["train", "v2v", "--profile", "smoke", "-p", "v2v.lr", "[1, 2"],
                       "value '[1, 2' is not a valid value"),
        "yaml-flow": (["data", "make", "synthetic", "--profile", "smoke", "-p",
                       "data.size", "{a: 1"], "is not a valid value"),
        "yaml-run": (["run", str(w / "nb.py"), "-p", "seeds", "[0,"], "is not a valid value"),
        "yaml-tab": (["train", "rovr", "--stage", "local", "--profile", "smoke", "-p",
                      "rovr.lr", "a: b: c"], "is not a valid value"),
        "run-txt": (["run", str(w / "notes.txt")], "not a notebook"),
        "run-binary": (["run", str(w / "binary.py")], "not a readable notebook"),
        "run-bad-ipynb": (["run", str(w / "bad.ipynb")], "not a readable notebook"),
        "compare-rows": (["compare", str(w / "table_ok.json"), str(w / "table_rows.json")],
                         "'rows' must be a list of objects"),
        "compare-items": (["compare", str(w / "table_items.json"), str(w / "table_ok.json")],
                          "'rows' must be a list of objects"),
        "compare-binary": (["compare", str(w / "table_ok.json"), str(w / "table_bin.json")],
                           "not a readable JSON text file"),
        "fps-huge": ([*tr, "--fps", "1e9"], "must be between 0.01 and 1000"),
        "fps-tiny": ([*tr, "--fps", "0.001"], "must be between 0.01 and 1000"),
        "fps-gif": (["translate", clip, "--checkpoint", model, "-o", str(w / "o.gif"),
                     "--fps", "200"], "fps must be between 0.01 and 100 for a GIF"),
    }


CASES = ["yaml-train", "yaml-flow", "yaml-run", "yaml-tab", "run-txt", "run-binary",
         "run-bad-ipynb", "compare-rows", "compare-items", "compare-binary", "fps-huge",
         "fps-tiny", "fps-gif"]


@pytest.mark.parametrize("name", CASES)
def test_a_user_error_is_one_line_and_exit_2(env: Path, name: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    argv, words = _cases(env)[name]
    assert main(argv) == 2
    one_error_line(capsys.readouterr().err, words)
    assert not (env / "o.mp4").exists() and not (env / "o.gif").exists()


@pytest.mark.parametrize("command", [["data", "make", "synthetic", "--profile", "smoke"],
                                     ["train", "v2v", "--profile", "smoke", "--max-steps", "1"]])
def test_a_cache_path_that_is_a_file_is_one_line(
        env: Path, command: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    (env / "cachefile").write_text("I am a file\n")
    monkeypatch.setenv("RLVID_CACHE", str(env / "cachefile"))
    assert main(command) == 2
    one_error_line(capsys.readouterr().err, "is a file, not a folder", "RLVID_CACHE")
    assert (env / "cachefile").read_text() == "I am a file\n"


def test_a_corrupt_cached_dataset_is_rebuilt_with_one_warning(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "make", "synthetic", "--profile", "smoke"]) == 0
    entry = next((env / "cache").glob("synthetic-*.npz"))
    whole = entry.read_bytes()
    entry.write_bytes(whole[: len(whole) // 3])
    capsys.readouterr()
    assert main(["data", "make", "synthetic", "--profile", "smoke"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rlvid: warning:") and "rebuilding" in err[0]
    assert entry.read_bytes() == whole  # rebuilt bit for bit


@pytest.mark.parametrize("stage", ["local", "imitation"])
def test_a_diverging_rovr_stage_is_one_line_and_honest(
        env: Path, stage: str, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from rlvid.harness import StepOutput
    from rlvid.rovr import imitation, local

    trainer = local.LocalTrainer if stage == "local" else imitation.ImitationTrainer
    monkeypatch.setattr(trainer, "step", lambda self, i: StepOutput({"loss": math.nan}))
    assert main(["train", "rovr", "--stage", stage, "--profile", "smoke", "-p",
                 "rovr.local.iterations", "2"] + (["-p", "rovr.imitation.iterations", "2"]
                                                  if stage == "imitation" else [])) == 2
    line = one_error_line(capsys.readouterr().err, "loss 'loss' is nan at step 1")
    assert "no checkpoint was written before it" in line


def test_divergence_after_a_checkpoint_names_the_kept_one(tmp_path: Path) -> None:
    with pytest.raises(TrainingDiverged, match="the last good checkpoint .*checkpoint.pt is kept"):
        train(lambda: NoisyRegression(nan_at=4), tmp_path / "r", total_steps=8, seed=0,
              checkpoint_every=2, progress=False)
    with pytest.raises(TrainingDiverged, match="no checkpoint was written before it"):
        train(lambda: NoisyRegression(nan_at=0), tmp_path / "s", total_steps=8, seed=0,
              checkpoint_every=2, progress=False)


def test_masks_that_hide_everything_warn_in_one_line(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    masks = env / "masks"
    masks.mkdir()
    for t in range(4):
        Image.fromarray(np.full((16, 16), 255, np.uint8)).save(masks / f"{t}.png")
    assert main(["inpaint", str(env / "clip"), "--masks", str(masks), "--checkpoint",
                 str(env / "local.pt"), "-o", str(env / "o.mp4")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rlvid: warning:")
    assert "hide every pixel of all 4 frames" in err[0]
    Image.fromarray(np.zeros((16, 16), np.uint8)).save(masks / "2.png")
    assert main(["inpaint", str(env / "clip"), "--masks", str(masks), "--checkpoint",
                 str(env / "local.pt"), "-o", str(env / "o2.mp4")]) == 0
    assert "every pixel of 3 of 4 frames" in capsys.readouterr().err


def test_macos_and_hidden_files_in_frame_folders_are_ignored(tmp_path: Path) -> None:
    frames = tmp_path / "frames"
    write_video(frames, demo_video(16, 3, seed=0))
    (frames / "._frame_00000.png").write_bytes(b"\x00\x05\x16\x07AppleDouble")
    (frames / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    assert read_video(frames).shape == (3, 3, 16, 16)
    masks = tmp_path / "masks"
    masks.mkdir()
    for t in range(3):
        Image.fromarray(np.full((16, 16), 255 * (t % 2), np.uint8)).save(masks / f"{t}.png")
    (masks / "._0.png").write_bytes(b"\x00\x05\x16\x07")
    assert read_masks(masks, 3, (16, 16)).shape == (3, 1, 16, 16)


def test_a_result_table_that_is_fine_still_compares(env: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    _cases(env)
    table = env / "table_ok.json"
    assert main(["compare", str(table), str(table), "--strict"]) == 0
    moved = env / "moved.json"
    moved.write_text(json.dumps({"name": "t", "rows": [{"a": 2.0}]}))
    assert main(["compare", str(table), str(moved), "--strict"]) == 1


def test_rlvid_help_imports_no_torch_and_is_fast() -> None:
    code = ("import sys, time; t = time.perf_counter(); import rlvid.cli; "
            "rlvid.cli.build_parser().format_help(); "
            "print('torch' in sys.modules, 'numpy' in sys.modules, time.perf_counter() - t)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    torch_loaded, numpy_loaded, seconds = done.stdout.split()
    assert (torch_loaded, numpy_loaded) == ("False", "False"), done.stderr
    assert float(seconds) < 1.0


def test_the_clis_dataset_names_are_the_librarys() -> None:
    from rlvid.cli import data as data_cli
    from rlvid.data.v2v_sets import V2V_NAMES

    assert data_cli.V2V_NAMES == V2V_NAMES
