"""Writes that are true: a full disk, a read-only folder or an encoder error ends the command
with one line and exit 2, and nothing is left under the output's name nor any temporary.

The disk-full and read-only cases write onto a small tmpfs; where this machine does not let
the test mount one (not root, no mount rights), they are skipped and say so.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from _one_line import one_error_line
from _tiny_models import rovr_local, v2v_translator

from rlvid.cli import main
from rlvid.data.io import VideoIOError, read_video, write_video
from rlvid.metrics.demo import demo_video
from rlvid.storage.files import KIT_TEMP, OutputError, atomic_write_bytes

NOTEBOOK = '''# %% tags=["parameters"]
profile = "cpu"

# %%
print("x" * 200_000)
'''


def _mount(where: Path, options: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip() or 'not permitted'}); "
                    "the full-disk and read-only cases need one")


def _unmount(where: Path) -> None:
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


@pytest.fixture()
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MiB tmpfs filled to its last 4 KiB."""
    disk = tmp_path / "disk"
    _mount(disk, "size=1m")
    try:
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)
        try:  # fill it, then free one page
            while os.write(fd, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        os.truncate(disk / "filler", max(0, os.path.getsize(disk / "filler") - 4096))
        yield disk
    finally:
        _unmount(disk)


@pytest.fixture()
def read_only(tmp_path: Path) -> Iterator[Path]:
    disk = tmp_path / "ro"
    _mount(disk, "size=1m,ro")
    try:
        yield disk
    finally:
        _unmount(disk)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    w = tmp_path_factory.mktemp("inputs")
    write_video(w / "clip", demo_video(48, 24, seed=0))  # 24 frames of 48x48, lossless PNGs
    v2v_translator(w / "model.pt")
    rovr_local(w / "local.pt")
    (w / "99_tiny.py").write_text(NOTEBOOK)
    return w


def _left(folder: Path) -> list[str]:
    """What a failed write left in ``folder`` besides the filler."""
    return sorted(p.name for p in folder.iterdir() if p.name != "filler")


def _commands(inputs: Path, out: Path) -> dict[str, list[str]]:
    clip = str(inputs / "clip")
    return {
        "translate-mp4": ["translate", clip, "--checkpoint", str(inputs / "model.pt"), "-o",
                          str(out / "out.mp4")],
        "translate-gif": ["translate", clip, "--checkpoint", str(inputs / "model.pt"), "-o",
                          str(out / "out.gif")],
        "translate-frames": ["translate", clip, "--checkpoint", str(inputs / "model.pt"),
                             "-o", str(out / "frames")],
        "inpaint-mp4": ["inpaint", clip, "--auto-masks", "--checkpoint",
                        str(inputs / "local.pt"), "-o", str(out / "out.mp4")],
        "inpaint-webm": ["inpaint", clip, "--auto-masks", "--checkpoint",
                         str(inputs / "local.pt"), "-o", str(out / "out.webm")],
    }


@pytest.mark.parametrize("name", ["translate-mp4", "translate-gif", "translate-frames",
                                  "inpaint-mp4", "inpaint-webm"])
def test_a_video_onto_a_full_disk_is_one_line_and_leaves_nothing(
        inputs: Path, full_disk: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_commands(inputs, full_disk)[name]) == 2
    one_error_line(capsys.readouterr().err)
    assert _left(full_disk) == []


@pytest.mark.parametrize("name", ["translate-mp4", "inpaint-mp4"])
def test_a_video_into_a_read_only_folder_is_one_line(
        inputs: Path, read_only: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_commands(inputs, read_only)[name]) == 2
    one_error_line(capsys.readouterr().err, "cannot write")
    assert list(read_only.iterdir()) == []


def test_training_onto_a_full_disk_is_one_line_and_leaves_no_checkpoint(
        tmp_path: Path, full_disk: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RLVID_CACHE", str(tmp_path / "cache"))
    run = full_disk / "run"
    assert main(["train", "v2v", "--profile", "smoke", "--max-steps", "2",
                 "--run-dir", str(run)]) == 2
    one_error_line(capsys.readouterr().err, "No space left on device")
    assert not (run / "checkpoint.pt").exists()
    assert not [p for p in run.rglob("*") if KIT_TEMP.fullmatch(p.name)]


def test_training_into_a_read_only_folder_is_one_line(
        tmp_path: Path, read_only: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RLVID_CACHE", str(tmp_path / "cache"))
    assert main(["train", "rovr", "--stage", "local", "--profile", "smoke",
                 "--run-dir", str(read_only / "run")]) == 2
    one_error_line(capsys.readouterr().err, "cannot write")
    assert list(read_only.iterdir()) == []


def test_rlvid_run_onto_a_full_disk_is_one_line_and_leaves_no_notebook(
        inputs: Path, full_disk: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build = full_disk / "build"
    assert main(["run", str(inputs / "99_tiny.py"), "--profile", "smoke",
                 "--build-dir", str(build)]) == 2
    one_error_line(capsys.readouterr().err)
    assert not (build / "notebooks" / "99_tiny.ipynb").exists()
    assert not [p for p in build.rglob("*") if KIT_TEMP.fullmatch(p.name)]


def test_data_make_onto_a_full_disk_is_one_line(
        tmp_path: Path, full_disk: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RLVID_CACHE", str(tmp_path / "cache"))
    assert main(["data", "make", "synthetic", "--profile", "smoke", "--out",
                 str(full_disk)]) == 2
    one_error_line(capsys.readouterr().err, "No space left on device")
    assert _left(full_disk) == []


def test_a_full_cache_disk_is_one_line(full_disk: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("RLVID_CACHE", str(full_disk / "cache"))
    assert main(["data", "make", "synthetic", "--profile", "smoke"]) == 2
    one_error_line(capsys.readouterr().err, "No space left on device")
    assert not [p for p in full_disk.rglob("*") if KIT_TEMP.fullmatch(p.name)]


# ---------------------------------------------------------------- without a tmpfs

def test_an_encoder_that_writes_a_broken_file_is_an_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ffmpeg's "Error writing trailer" is not raised by imageio: the kit reads back."""
    from rlvid.data import io as video_io

    def truncated(tmp: Path, frames: np.ndarray, fps: float, suffix: str) -> None:
        tmp.write_bytes(b"\0\0\0\x18ftypisom" + b"\0" * 4000)  # an mp4 header, no frames

    monkeypatch.setattr(video_io, "_write_ffmpeg", truncated)
    (tmp_path / "out.mp4").write_bytes(b"the previous output")
    with pytest.raises(VideoIOError, match="reads back with 0 of 4 frames .encoder error"):
        write_video(tmp_path / "out.mp4", demo_video(16, 4, seed=0))
    assert (tmp_path / "out.mp4").read_bytes() == b"the previous output"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.mp4"]


def test_an_os_error_mid_write_is_one_line_and_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "table.json"
    target.write_text("old\n")

    def fails(fh: object) -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="table.json: cannot write .No space left on device"):
        atomic_write_bytes(target, fails)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["table.json"]


@pytest.mark.parametrize("mask", [0o022, 0o027, 0o002])
def test_outputs_get_the_modes_the_umask_allows(tmp_path: Path, mask: int,
                                                 inputs: Path) -> None:
    old = os.umask(mask)
    try:
        write_video(tmp_path / "v.mp4", demo_video(16, 3, seed=0))
        write_video(tmp_path / "frames", demo_video(16, 3, seed=0))
        atomic_write_bytes(tmp_path / "t.json", lambda fh: fh.write(b"{}"))
        from rlvid.runtime import save_checkpoint

        save_checkpoint(tmp_path / "c.pt", {"x": 1})
    finally:
        os.umask(old)
    for name in ("v.mp4", "t.json", "c.pt", "frames/frame_00000.png"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~mask, name
    assert (tmp_path / "frames").stat().st_mode & 0o777 == 0o777 & ~mask


def test_a_write_sweeps_its_folders_stale_kit_temporaries_only(tmp_path: Path) -> None:
    stale = tmp_path / f".out.mp4.rlvid-999999999-{uuid.uuid4().hex[:8]}.tmp.mp4"
    users = tmp_path / ".out.mp4.mine.tmp.mp4"
    for path in (stale, users):
        path.write_bytes(b"partial")
    write_video(tmp_path / "out.mp4", demo_video(16, 3, seed=0))
    assert not stale.exists() and users.exists()
    assert read_video(tmp_path / "out.mp4").shape[0] == 3


@pytest.mark.parametrize("name", ["translate-mp4", "inpaint-webm", "train"])
def test_a_full_disk_in_a_real_process_prints_one_line_and_nothing_from_ffmpeg(
        inputs: Path, tmp_path: Path, full_disk: Path, name: str) -> None:
    """As a user sees it: the process's whole stderr (ffmpeg's own included) is one line."""
    import sys

    argv = (["train", "v2v", "--profile", "smoke", "--max-steps", "2", "--run-dir",
             str(full_disk / "run")] if name == "train"
            else _commands(inputs, full_disk)[name])
    done = subprocess.run([sys.executable, "-m", "rlvid.cli", *argv], capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, "RLVID_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 2
    line = one_error_line(done.stderr)
    assert "disk is full" in line or "No space left on device" in line
    assert _left(full_disk) == []  # the run folder it made is gone again
