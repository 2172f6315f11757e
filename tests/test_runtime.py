"""Seeds, provenance, atomic checkpoints, NaN guard and result tables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from rlvid.config import load_config
from rlvid.results import aggregate_seeds, compare_tables, load_table, write_table
from rlvid.runtime import (
    Run,
    TrainingDiverged,
    check_finite,
    load_checkpoint,
    save_checkpoint,
    seed_everything,
    stop_requests,
)


def _draw() -> tuple[float, float, list[float]]:
    import random

    return random.random(), float(np.random.rand()), torch.rand(3).tolist()


def test_same_seed_same_numbers() -> None:
    seed_everything(7)
    a = _draw()
    seed_everything(7)
    assert _draw() == a
    seed_everything(8)
    assert _draw() != a


def test_checkpoint_restores_rng_and_state(tmp_path: Path) -> None:
    seed_everything(0)
    model = torch.nn.Linear(3, 2)
    save_checkpoint(tmp_path / "c.pt", {"model": model.state_dict(), "step": 5})
    expected = _draw()
    state = load_checkpoint(tmp_path / "c.pt")
    assert _draw() == expected  # RNG rewound to the save point
    assert state["step"] == 5
    assert torch.equal(state["model"]["weight"], model.weight)


def test_failed_write_keeps_previous_checkpoint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, {"step": 1})

    def broken_save(obj: object, fh: object) -> None:
        fh.write(b"partial bytes")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", broken_save)
    with pytest.raises(OSError):
        save_checkpoint(path, {"step": 2})
    monkeypatch.undo()
    assert load_checkpoint(path)["step"] == 1
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.pt"]  # no temporary left


_WRITER = """
import sys, torch
from rlvid.runtime import save_checkpoint
path = sys.argv[1]
save_checkpoint(path, {"step": 0, "blob": torch.zeros(1)})
print("ready", flush=True)
step = 1
while True:  # large writes, so a kill lands mid-write
    save_checkpoint(path, {"step": step, "blob": torch.full((20_000_000,), float(step))})
    step += 1
"""


def test_kill_midway_leaves_previous_checkpoint_loadable(tmp_path: Path) -> None:
    path = tmp_path / "checkpoint.pt"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(path)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.time() + 60
        while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
            assert time.time() < deadline, "writer never started a checkpoint write"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)  # mid-write: a temporary file exists
    finally:
        proc.kill()
        proc.wait()
    state = load_checkpoint(path, restore_rng=False)
    assert state["blob"].numel() in (1, 20_000_000)
    assert float(state["blob"][0]) == state["step"]


def test_check_finite_names_the_loss() -> None:
    check_finite({"ok": torch.tensor(1.0)}, step=3)
    with pytest.raises(TrainingDiverged, match="loss 'adv' is nan at step 4"):
        check_finite({"ok": 1.0, "adv": torch.tensor(float("nan"))}, step=4)


def test_stop_requests_turns_sigterm_into_a_flag() -> None:
    with stop_requests() as stop:
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop["requested"]


def test_run_directory_records_provenance(tmp_path: Path) -> None:
    cfg = load_config("smoke")
    run = Run.create("demo", cfg, {"flow": "dis"}, root=tmp_path)
    prov = json.loads((run.dir / "provenance.json").read_text())
    assert prov["profile"] == "smoke"
    assert prov["metric_backends"] == {"flow": "dis"}
    assert prov["packages"]["torch"].startswith("2.14")
    assert json.loads((run.dir / "config.json").read_text())["profile"] == "smoke"
    assert run.latest_checkpoint() is None


def test_tables_round_trip_and_compare(tmp_path: Path) -> None:
    cfg = load_config("smoke")
    rows = [{"method": "a", "seed": s, "psnr": 20.0 + s} for s in range(3)]
    agg = aggregate_seeds(rows, keys=["method"])
    assert agg[0]["psnr_mean"] == pytest.approx(21.0)
    assert agg[0]["psnr_std"] == pytest.approx(1.0)  # sample std of 20, 21, 22
    ref = load_table(write_table("t", agg, cfg, {"flow": "dis"}, directory=tmp_path / "ref"))
    assert (tmp_path / "ref" / "t.csv").read_text().startswith("method,seeds,psnr_mean")
    same = compare_tables(ref, ref)
    assert same.ok
    moved = json.loads(json.dumps(ref))
    moved["rows"][0]["psnr_mean"] = 23.0
    report = compare_tables(ref, moved, rtol=0.05)
    assert not report.ok
    assert "DIFF" in report.render() and "psnr_mean" in report.render()


def test_compare_keys_rows_by_seed_and_skips_timings() -> None:
    ref = {"name": "t", "rows": [{"method": "a", "seed": 0, "psnr": 20.0, "train_s": 3.0},
                                 {"method": "a", "seed": 1, "psnr": 21.0, "train_s": 3.0}]}
    run = {"name": "t", "rows": [{"method": "a", "seed": 0, "psnr": 20.0, "train_s": 9.0},
                                 {"method": "a", "seed": 1, "psnr": 25.0, "train_s": 9.0}]}
    report = compare_tables(ref, run)
    assert [(d.row, d.column, d.ok) for d in report.differences] == [
        ("method=a, seed=0", "psnr", True), ("method=a, seed=1", "psnr", False)]
    assert len(compare_tables(ref, run, include_timings=True).differences) == 4
