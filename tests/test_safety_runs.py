"""Run folders are owned, locked and hold one run: a folder the kit did not create is never
written, a second training into one folder is refused, and a resume with another seed,
profile, config or stage is refused in one line before anything is trained or written.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _harness_toys import NoisyRegression
from _one_line import one_error_line

from rlvid.cli import main
from rlvid.errors import RlvidError
from rlvid.harness import train
from rlvid.runtime import load_checkpoint
from rlvid.storage.files import sweep_stale_temps
from rlvid.storage.rundir import LOCK, MARKER, claim, run_identity

SMOKE = ["--profile", "smoke"]


def _snapshot(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture()
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RLVID_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("RLVID_RUNS", str(tmp_path / "runs"))
    return tmp_path


def _users_folder(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"mine": true}\n')
    (folder / "history.json").write_text("[1, 2, 3]\n")
    (folder / ".notes.tmp").write_text("a draft of mine\n")
    (folder / ".checkpoint.pt.abc123.tmp").write_text("looks like an old kit temp, is not\n")
    return folder


# ---------------------------------------------------------------- ownership

def test_a_folder_of_the_users_files_is_never_written(tmp_path: Path) -> None:
    folder = _users_folder(tmp_path / "mine")
    before = _snapshot(folder)
    with pytest.raises(RlvidError, match="not a run folder rlvid created"):
        train(NoisyRegression, folder, total_steps=3, seed=0, progress=False)
    assert _snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [".checkpoint.pt.abc123.tmp", ".notes.tmp", "config.json", "history.json"])


@pytest.mark.parametrize("trainer", [["train", "v2v", *SMOKE],
                                     ["train", "rovr", "--stage", "local", *SMOKE],
                                     ["train", "rovr", "--stage", "ppg", *SMOKE]])
def test_the_cli_refuses_run_dir_dot_in_a_users_folder(
        env: Path, trainer: list[str], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = _users_folder(env / "work")
    before = _snapshot(env)
    monkeypatch.chdir(folder)
    assert main([*trainer, "--run-dir", "."]) == 2
    one_error_line(capsys.readouterr().err, "not a run folder rlvid created")
    assert _snapshot(env) == before  # not the folder, not a sibling, not the cache


def test_a_new_or_empty_folder_is_claimed_with_a_marker(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    for name in ("empty", "new/deeper"):
        result = train(NoisyRegression, tmp_path / name, total_steps=2, seed=0,
                       progress=False)
        assert result.status == "done"
        marker = json.loads((tmp_path / name / MARKER).read_text())
        assert marker["rlvid"] == "run" and marker["identity"]["seed"] == 0


def test_a_folder_an_older_rlvid_made_is_adopted(tmp_path: Path) -> None:
    run = tmp_path / "old"
    train(NoisyRegression, run, total_steps=4, seed=0, max_steps=2, progress=False)
    (run / MARKER).unlink()  # as an rlvid from before the marker left it
    (run / LOCK).unlink()
    rest = train(NoisyRegression, run, total_steps=4, seed=0, progress=False)
    assert rest.status == "done" and rest.step == 4 and (run / MARKER).is_file()


def test_only_the_kits_own_stale_temporaries_are_swept(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".checkpoint.pt.rlvid-{dead}-x1y2.tmp"
    live = tmp_path / ".checkpoint.pt.rlvid-1-x1y2.tmp"  # pid 1 is alive
    mine = tmp_path / f".out.mp4.rlvid-{os.getpid()}-abc.tmp.mp4"
    users = [tmp_path / ".notes.tmp", tmp_path / ".checkpoint.pt.abc123.tmp",
             tmp_path / "rlvid-1.tmp"]
    for path in [stale, live, mine, *users]:
        path.write_text("x")
    assert sweep_stale_temps(tmp_path) == [stale]
    assert not stale.exists() and live.exists() and mine.exists()
    assert all(p.exists() for p in users)


# ---------------------------------------------------------------- one process at a time

def test_a_second_claim_of_a_held_folder_is_refused(tmp_path: Path) -> None:
    identity = run_identity(None, 0)
    lock = claim(tmp_path / "r", identity)
    try:
        with pytest.raises(RlvidError, match=rf"another rlvid process \(pid {os.getpid()}\)"):
            claim(tmp_path / "r", identity)
    finally:
        lock.release()
    claim(tmp_path / "r", identity).release()  # free again once released


_HOLDER = """
import sys, time
from rlvid.storage.rundir import claim, run_identity
from rlvid.v2v.train import run_identity_of
from rlvid.config import load_config
lock = claim(sys.argv[1], run_identity_of(load_config("smoke"), "rlv2v", 0, "synthetic"))
print("held", flush=True)
time.sleep(120)
"""


def test_a_second_training_into_a_held_folder_refuses_and_a_killed_holder_frees_it(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = env / "run"
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(run)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        before = _snapshot(run)
        assert main(["train", "v2v", *SMOKE, "--max-steps", "1", "--run-dir", str(run)]) == 2
        one_error_line(capsys.readouterr().err, f"(pid {holder.pid})", "is training")
        assert _snapshot(run) == before
    finally:
        holder.kill()
        holder.wait()
    # the kernel dropped the dead holder's lock: the same command now runs
    assert main(["train", "v2v", *SMOKE, "--max-steps", "1", "--run-dir", str(run)]) == 75


# ---------------------------------------------------------------- resume identity

@pytest.fixture()
def stopped_run(env: Path) -> Path:
    """A smoke v2v run of seed 0 stopped after one step (exit 75)."""
    run = env / "run"
    assert main(["train", "v2v", *SMOKE, "--max-steps", "1", "--run-dir", str(run)]) == 75
    return run


@pytest.mark.parametrize("change,words", [
    (["--seed", "5"], "its seed is 0, not 5"),
    (["--profile", "cpu"], "its profile is 'smoke', not 'cpu'"),
    (["-p", "v2v.lr", "0.5"], "its config is"),
    (["--method", "cyclegan"], "its method is 'rlv2v', not 'cyclegan'"),
])
def test_a_resume_of_another_run_is_refused_and_changes_nothing(
        stopped_run: Path, change: list[str], words: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    before = _snapshot(stopped_run)
    argv = ["train", "v2v", *SMOKE, "--run-dir", str(stopped_run), *change]
    if "--profile" in change:
        argv.remove("smoke")
        argv.remove("--profile")
    assert main(argv) == 2
    one_error_line(capsys.readouterr().err, "holds another run", words, "--force-new")
    assert _snapshot(stopped_run) == before


def test_force_new_starts_over_beside_and_bookkeeping_changes_resume(
        stopped_run: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["train", "v2v", *SMOKE, "--seed", "5", "--max-steps", "1", "--force-new",
                 "--run-dir", str(stopped_run)]) == 75
    new = [p for p in stopped_run.parent.iterdir() if p.name.startswith("run-")]
    assert len(new) == 1
    assert load_checkpoint(new[0] / "checkpoint.pt", restore_rng=False)["seed"] == 5
    assert load_checkpoint(stopped_run / "checkpoint.pt", restore_rng=False)["seed"] == 0
    # log_every changes what is logged, not the run: the same run resumes
    assert main(["train", "v2v", *SMOKE, "-p", "v2v.log_every", "3", "--max-steps", "2",
                 "--run-dir", str(stopped_run)]) == 75
    assert load_checkpoint(stopped_run / "checkpoint.pt", restore_rng=False)["step"] == 2


def test_a_toy_resume_with_another_seed_is_refused(tmp_path: Path) -> None:
    train(NoisyRegression, tmp_path / "r", total_steps=6, seed=0, max_steps=2, progress=False)
    before = _snapshot(tmp_path / "r")
    with pytest.raises(RlvidError, match="its seed is 0, not 1"):
        train(NoisyRegression, tmp_path / "r", total_steps=6, seed=1, progress=False)
    assert _snapshot(tmp_path / "r") == before


def test_rovr_refuses_the_next_stage_in_the_previous_stages_folder_before_training(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    runs = env / "runs"
    local = runs / "x"
    assert main(["train", "rovr", "--stage", "local", *SMOKE, "-p", "rovr.local.iterations",
                 "2", "--run-dir", str(local)]) == 0
    capsys.readouterr()
    before = _snapshot(runs)
    for stage in ("imitation", "ppg"):
        assert main(["train", "rovr", "--stage", stage, *SMOKE, "-p",
                     "rovr.local.iterations", "2", "--run-dir", str(local)]) == 2
        one_error_line(capsys.readouterr().err, f"--stage {stage} needs {local}",
                        "its stage is 'local'")
        assert _snapshot(runs) == before
        assert sorted(p.name for p in runs.iterdir()) == ["x"]  # nothing trained beside it


def test_rovr_refuses_a_foreign_folder_where_it_needs_an_earlier_stage(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _users_folder(env / "runs" / "local")
    before = _snapshot(env / "runs")
    assert main(["train", "rovr", "--stage", "ppg", *SMOKE, "--cold-start",
                 "--run-dir", str(env / "runs" / "ppg")]) == 2
    one_error_line(capsys.readouterr().err, "the folder of its local stage",
                    "not a run folder rlvid created")
    assert _snapshot(env / "runs") == before
    assert not (env / "runs" / "ppg").exists()


def test_rovr_refuses_another_seed_in_a_stage_folder(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local = env / "runs" / "local"
    assert main(["train", "rovr", "--stage", "local", *SMOKE, "-p", "rovr.local.iterations",
                 "2", "--run-dir", str(local)]) == 0
    start = time.monotonic()
    assert main(["train", "rovr", "--stage", "local", *SMOKE, "--seed", "3", "-p",
                 "rovr.local.iterations", "2", "--run-dir", str(local)]) == 2
    one_error_line(capsys.readouterr().err, "its seed is 0, not 3")
    assert time.monotonic() - start < 30  # refused up front, nothing trained


def test_rovr_names_the_earlier_stages_folder_that_holds_another_run(
        env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    local = env / "runs" / "local"
    assert main(["train", "rovr", "--stage", "local", *SMOKE, "--seed", "1", "-p",
                 "rovr.local.iterations", "2", "--run-dir", str(local)]) == 0
    capsys.readouterr()
    before = _snapshot(env / "runs")
    assert main(["train", "rovr", "--stage", "ppg", *SMOKE, "--cold-start", "-p",
                 "rovr.local.iterations", "2", "--run-dir", str(env / "runs" / "ppg")]) == 2
    line = one_error_line(capsys.readouterr().err, "the folder of its local stage",
                           "its seed is 1, not 0", "choose another --run-dir")
    assert "--force-new" not in line
    assert _snapshot(env / "runs") == before
