"""SIGKILL in the middle of a checkpoint write, then resume: nothing is lost or changed.

A real ``rlvid train v2v`` run (smoke profile, a checkpoint every 2 of its steps) is
paused by ``RLVID_TEST_PAUSE_IN_CHECKPOINT_WRITE`` inside the atomic writer, after the
temporary file is complete and before the rename, so the kill moment is certain.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from _same import assert_same

from rlvid.config import load_config
from rlvid.runtime import CHECKPOINT_NAME, PAUSE_ENV, load_checkpoint
from rlvid.v2v.train import total_steps

STEPS = total_steps("rlv2v", load_config("smoke"))  # pretraining + Algorithm 1's phases


def _command(run_dir: Path) -> list[str]:
    return [sys.executable, "-m", "rlvid.cli", "train", "v2v", "--profile", "smoke",
            "-p", "v2v.checkpoint_every", "2", "--seed", "1", "--run-dir", str(run_dir)]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "RLVID_CACHE": str(tmp_path / "cache"),
            "RLVID_RUNS": str(tmp_path / "runs"), **extra}


def _wait_for(path: Path, proc: subprocess.Popen, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert proc.poll() is None, f"training ended (rc {proc.returncode}) before {path.name}"
        assert time.monotonic() < deadline, f"no {path.name} after {timeout} s"
        time.sleep(0.01)


def test_kill_during_second_checkpoint_write_then_resume_is_bit_identical(tmp_path: Path):
    killed, straight = tmp_path / "killed", tmp_path / "straight"
    marker = tmp_path / "paused"
    checkpoint = killed / CHECKPOINT_NAME
    proc = subprocess.Popen(_command(killed), env=_env(tmp_path, **{PAUSE_ENV: str(marker)}),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _wait_for(marker, proc)  # first checkpoint (step 2): written, not yet renamed
        assert not checkpoint.exists()
        marker.unlink()  # let it rename and train on
        _wait_for(marker, proc)  # second checkpoint (step 4): paused before the rename
        before = checkpoint.read_bytes()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == -signal.SIGKILL

    # the previous checkpoint stands, whole and unchanged; the new one is only a temp file
    assert checkpoint.read_bytes() == before
    assert [p.name for p in killed.iterdir() if p.name == CHECKPOINT_NAME] == [CHECKPOINT_NAME]
    assert any(p.name.startswith(f".{CHECKPOINT_NAME}.") for p in killed.iterdir())
    state = load_checkpoint(checkpoint, restore_rng=False)
    assert state["step"] == 2 and state["status"] == "running"

    # resume: the same command again; and an uninterrupted run to compare with
    for run_dir in (killed, straight):
        done = subprocess.run(_command(run_dir), env=_env(tmp_path), capture_output=True,
                              text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        assert f"done at step {STEPS}" in done.stdout
    assert not [p.name for p in killed.iterdir() if p.name.endswith(".tmp")]  # swept
    for name in (CHECKPOINT_NAME, "model.pt", "pretrained.pt"):
        a, b = (load_checkpoint(d / name, restore_rng=False) for d in (killed, straight))
        for phase in [*a.get("counts", {}).values(), *b.get("counts", {}).values()]:
            phase.pop("wall_s")  # the harness's per-phase wall times: all else must agree
        assert_same(a, b, name)
    final = load_checkpoint(killed / CHECKPOINT_NAME, restore_rng=False)
    assert final["status"] == "done" and final["step"] == STEPS
    assert len(final["trainer"]["buffer"]["p"]) > 0
