"""Safe loading: no checkpoint, cache entry or table runs code, whatever its pickle asks for.

Each malicious file, if it ran, would create a marker file (through ``os.system``, ``exec``
or ``builtins.open``); every case checks the marker is absent and the refusal is one line.
"""

from __future__ import annotations

import io
import os
import pickle
import random
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from _tiny_models import v2v_translator

from rlvid.cli import main
from rlvid.data.cache import cache_path, cached_arrays
from rlvid.errors import RlvidWarning
from rlvid.storage.checkpoints import CheckpointError, load_checkpoint, save_checkpoint


class _Runs:
    """Unpickling this calls ``os.system`` (``torch.load(weights_only=False)`` would)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


class _Execs(_Runs):
    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (exec, (f"open({str(self.marker)!r}, 'w').close()",))


def _evil_files(folder: Path) -> dict[str, Path]:
    """Malicious checkpoints of several shapes, all aimed at ``folder/ran``."""
    marker = folder / "ran"
    files = {
        "system": folder / "system.pt",
        "exec": folder / "exec.pt",
        "nested": folder / "nested.pt",
        "plain-pickle": folder / "plain.pt",
        "in-translator": folder / "translator.pt",
    }
    torch.save({"trainer": _Runs(marker), "step": 1}, files["system"])
    torch.save({"spec": {}, "state_dict": _Execs(marker)}, files["exec"])
    torch.save({"a": [{"b": (1, _Runs(marker))}]}, files["nested"])
    files["plain-pickle"].write_bytes(pickle.dumps({"x": _Runs(marker)}))
    good = v2v_translator(folder / "good.pt")
    state = torch.load(good, weights_only=False)  # our own file: trusted
    state["method"] = _Runs(marker)
    torch.save(state, files["in-translator"])
    return files


@pytest.mark.parametrize("kind", ["system", "exec", "nested", "plain-pickle", "in-translator"])
def test_a_malicious_checkpoint_runs_nothing(tmp_path: Path, kind: str) -> None:
    path = _evil_files(tmp_path)[kind]
    with pytest.raises(CheckpointError) as refused:
        load_checkpoint(path)
    assert not (tmp_path / "ran").exists()
    message = str(refused.value)
    assert "\n" not in message and str(path) in message
    if kind != "plain-pickle":  # a torch.save file names the blocked callable
        assert "refused, not a safe rlvid checkpoint" in message and "nothing in it was run" \
            in message


@pytest.mark.parametrize("command", ["translate", "inpaint"])
def test_the_cli_refuses_a_malicious_checkpoint_in_one_line(
        tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]) -> None:
    evil = _evil_files(tmp_path)["system"]
    video = tmp_path / "v"
    from rlvid.data.io import write_video
    from rlvid.metrics.demo import demo_video

    write_video(video, demo_video(16, 4, seed=0))
    argv = [command, str(video), "--checkpoint", str(evil), "-o", str(tmp_path / "o.mp4")]
    if command == "inpaint":
        argv += ["--auto-masks"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("rlvid: error:") and "refused" in err[0]
    assert not (tmp_path / "ran").exists() and not (tmp_path / "o.mp4").exists()


def test_a_malicious_checkpoint_in_a_run_folder_is_refused_on_resume(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from _harness_toys import NoisyRegression

    from rlvid.harness import train

    run = tmp_path / "run"
    train(NoisyRegression, run, total_steps=4, seed=0, max_steps=2, progress=False)
    torch.save({"trainer": _Runs(tmp_path / "ran"), "step": 2, "history": [], "counts": {},
                "status": "running"}, run / "checkpoint.pt")
    with pytest.raises(CheckpointError, match="refused"):
        train(NoisyRegression, run, total_steps=4, seed=0, progress=False)
    assert not (tmp_path / "ran").exists()


def test_a_real_checkpoint_loads_and_restores_every_rng(tmp_path: Path) -> None:
    random.seed(3)
    np.random.seed(4)
    torch.manual_seed(5)
    save_checkpoint(tmp_path / "c.pt", {"w": torch.arange(3.0), "x": np.float64(2.5),
                                        "n": np.int64(7), "a": np.arange(4)})
    expected = (random.random(), np.random.rand(), torch.rand(1).item())
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    state = load_checkpoint(tmp_path / "c.pt")
    assert (random.random(), np.random.rand(), torch.rand(1).item()) == expected
    assert state["x"] == 2.5 and state["n"] == 7 and state["a"].tolist() == [0, 1, 2, 3]
    assert state["w"].tolist() == [0.0, 1.0, 2.0]


def _object_npz(path: Path, marker: Path) -> None:
    """An .npz whose one array is a pickled object that would call ``os.system``."""
    buffer = io.BytesIO()
    np.save(buffer, np.array([_Runs(marker)], dtype=object), allow_pickle=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("x.npy", buffer.getvalue())


@pytest.mark.parametrize("damage", ["pickled-object", "truncated", "text", "empty"])
def test_an_unsafe_or_corrupt_cache_entry_is_rebuilt_with_a_warning(
        tmp_path: Path, damage: str) -> None:
    build = lambda: {"x": np.arange(6.0)}  # noqa: E731
    path = cache_path("synthetic", {"n": 6}, 0, tmp_path)
    cached_arrays("synthetic", {"n": 6}, 0, build, root=tmp_path)
    whole = path.read_bytes()
    if damage == "pickled-object":
        _object_npz(path, tmp_path / "ran")
    elif damage == "truncated":
        path.write_bytes(whole[: len(whole) // 2])
    elif damage == "text":
        path.write_text("not an npz\n")
    else:
        path.write_bytes(b"")
    with pytest.warns(RlvidWarning, match="unreadable cache entry.*rebuilding it"):
        arrays = cached_arrays("synthetic", {"n": 6}, 0, build, root=tmp_path)
    assert arrays["x"].tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    assert not (tmp_path / "ran").exists()
    with np.load(path) as stored:  # replaced by a whole entry
        assert stored["x"].tolist() == arrays["x"].tolist()


def test_weights_that_do_not_fit_their_spec_are_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rlvid.data.io import write_video
    from rlvid.metrics.demo import demo_video

    model = v2v_translator(tmp_path / "model.pt")
    state = torch.load(model, weights_only=False)
    name = next(iter(state["state_dict"]))
    state["state_dict"][name] = torch.zeros(3, 3, 3)
    save_checkpoint(tmp_path / "bad.pt", state)
    write_video(tmp_path / "v", demo_video(16, 4, seed=0))
    assert main(["translate", str(tmp_path / "v"), "--checkpoint", str(tmp_path / "bad.pt"),
                 "-o", str(tmp_path / "o.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "weights do not fit" in err[0] and name in err[0]
    assert not (tmp_path / "o.mp4").exists()


def test_rovr_weights_that_do_not_fit_are_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from _tiny_models import rovr_local

    from rlvid.data.io import write_video
    from rlvid.metrics.demo import demo_video

    state = torch.load(rovr_local(tmp_path / "local.pt"), weights_only=False)
    name = next(iter(state["local"]))
    state["local"][name] = torch.zeros(2, 2)
    save_checkpoint(tmp_path / "bad.pt", state)
    write_video(tmp_path / "v", demo_video(32, 4, seed=0))
    assert main(["inpaint", str(tmp_path / "v"), "--auto-masks", "--checkpoint",
                 str(tmp_path / "bad.pt"), "-o", str(tmp_path / "o.mp4")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "weights do not fit" in err[0] and name in err[0]
    assert not (tmp_path / "o.mp4").exists()
