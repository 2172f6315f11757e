"""Signals: SIGTERM or SIGINT leaves no temporary file from any command, and a training
stopped by one exits with the documented "stopped, resumable" code (75) and resumes.

Each command runs as a real process, paused by the test hook (``PAUSE_ENV``) right before
its output's temporary file is renamed, so the signal lands at the worst moment for sure.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _tiny_models import rovr_local, v2v_translator

from rlvid.data.io import write_video
from rlvid.metrics.demo import demo_video
from rlvid.runtime import load_checkpoint
from rlvid.storage.files import KIT_TEMP, PAUSE_ENV, PAUSE_TARGET_ENV

STOPPED = 75


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    w = tmp_path_factory.mktemp("inputs")
    write_video(w / "clip", demo_video(32, 6, seed=0))
    v2v_translator(w / "model.pt")
    rovr_local(w / "local.pt")
    (w / "99_tiny.py").write_text('# %% tags=["parameters"]\nprofile = "cpu"\n\n# %%\nx = 1\n')
    return w


def _start(argv: list[str], tmp_path: Path, target: str) -> tuple[subprocess.Popen, Path]:
    marker = tmp_path / f"paused-{len(list(tmp_path.iterdir()))}"
    env = {**os.environ, PAUSE_ENV: str(marker), PAUSE_TARGET_ENV: target,
           "RLVID_CACHE": str(tmp_path / "cache"), "RLVID_RUNS": str(tmp_path / "runs")}
    # SIGINT as a terminal delivers it, even when the tests run as a background job (whose
    # shell ignores SIGINT, and Python then installs no KeyboardInterrupt handler)
    proc = subprocess.Popen([sys.executable, "-m", "rlvid.cli", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    return proc, marker


def _wait_for(marker: Path, proc: subprocess.Popen, timeout: float = 240.0) -> None:
    deadline = time.monotonic() + timeout
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"ended (rc {proc.returncode}) before pausing: {proc.stderr.read()}")
        assert time.monotonic() < deadline, "never paused"
        time.sleep(0.01)


def _temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if KIT_TEMP.fullmatch(p.name)]


def _commands(inputs: Path, out: Path) -> dict[str, tuple[list[str], str]]:
    clip = str(inputs / "clip")
    return {
        "translate": (["translate", clip, "--checkpoint", str(inputs / "model.pt"), "-o",
                       str(out / "out.mp4")], "out.mp4"),
        "translate-frames": (["translate", clip, "--checkpoint", str(inputs / "model.pt"),
                              "-o", str(out / "frames")], "frames"),
        "inpaint": (["inpaint", clip, "--auto-masks", "--checkpoint", str(inputs / "local.pt"),
                     "-o", str(out / "out.gif")], "out.gif"),
        "data-make": (["data", "make", "synthetic", "--profile", "smoke", "--out", str(out)],
                      "synthetic_smoke_seed0.npz"),
        "run": (["run", str(inputs / "99_tiny.py"), "--profile", "smoke", "--build-dir",
                 str(out / "build")], "99_tiny.ipynb"),
    }


@pytest.mark.parametrize("name,sig", [
    ("translate", signal.SIGTERM), ("translate", signal.SIGINT),
    ("translate-frames", signal.SIGTERM), ("inpaint", signal.SIGTERM),
    ("data-make", signal.SIGTERM), ("run", signal.SIGTERM),
])
def test_a_signal_mid_write_leaves_no_temporary_and_no_output(
        inputs: Path, tmp_path: Path, name: str, sig: signal.Signals) -> None:
    out = tmp_path / "out"
    out.mkdir()
    argv, target = _commands(inputs, out)[name]
    proc, marker = _start(argv, tmp_path, target)
    try:
        _wait_for(marker, proc)
        assert _temporaries(out)  # the finished temporary, not yet renamed
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == (143 if sig == signal.SIGTERM else 130), err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "nothing was left half-written" in lines[0], err
    assert _temporaries(out) == []
    assert not list(out.rglob(target))


def _train(tmp_path: Path, run: Path, sig: signal.Signals | None) -> subprocess.CompletedProcess:
    """A smoke v2v training; with ``sig``, sent while its step-2 checkpoint is paused."""
    argv = ["train", "v2v", "--profile", "smoke", "-p", "v2v.checkpoint_every", "2",
            "--run-dir", str(run)]
    proc, marker = _start(argv, tmp_path, "checkpoint.pt")
    try:
        _wait_for(marker, proc)
        if sig is not None:
            proc.send_signal(sig)
        while proc.poll() is None:  # let every paused checkpoint write go on
            marker.unlink(missing_ok=True)
            time.sleep(0.02)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signalled_training_exits_75_and_resumes(tmp_path: Path,
                                                  sig: signal.Signals) -> None:
    run = tmp_path / "run"
    stopped = _train(tmp_path, run, sig)
    assert stopped.returncode == STOPPED, stopped.stderr
    assert "interrupted at step 3" in stopped.stdout and "resume" in stopped.stdout
    state = load_checkpoint(run / "checkpoint.pt", restore_rng=False)
    assert state["status"] == "interrupted" and state["step"] == 3
    assert _temporaries(run) == []
    if sig == signal.SIGTERM:  # the same command again finishes the run: exit 0
        done = subprocess.run([sys.executable, "-m", "rlvid.cli", "train", "v2v", "--profile",
                               "smoke", "-p", "v2v.checkpoint_every", "2", "--run-dir",
                               str(run)], capture_output=True, text=True, timeout=600,
                              env={**os.environ, "RLVID_CACHE": str(tmp_path / "cache")})
        assert done.returncode == 0, done.stderr
        assert load_checkpoint(run / "checkpoint.pt", restore_rng=False)["status"] == "done"
