"""``bench/gpu_check.py``, the script for a lent GPU, at smoke sizes on the CPU: two trainers
(one V2V, one ROVR; a process each, ~40 s apiece on 2 busy cores) build, step and report
steps/s and peak memory into one JSON. Every trainer's build and step at paper frame sizes is
``test_paper_sizes.py``'s; ``python bench/gpu_check.py --profile smoke --device cpu`` runs
all seven."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TRAINERS = ("cyclegan", "rovr_local")


def test_gpu_check_runs_every_trainer_at_smoke_size_on_the_cpu(tmp_path: Path) -> None:
    out = tmp_path / "gpu_check.json"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "RLVID_PROGRESS": "0",
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "gpu_check.py"), "--profile",
                           "smoke", "--device", "cpu", "--steps", "2", "--seconds", "200",
                           "--only", *TRAINERS, "--out", str(out)], env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = json.loads(out.read_text())
    assert table["provenance"]["profile"] == "smoke"
    rows = {r["trainer"]: r for r in table["rows"]}
    assert set(rows) == set(TRAINERS)
    for name, row in rows.items():
        assert row["status"] == "ok", (name, row)
        assert row["steps"] == 2 and row["steps_per_s"] > 0
        assert row["amp"] == "fp32"  # autocast is for CUDA only
        assert row["peak_step_bytes"] >= 0 and row["model_bytes"] > 0
        assert "clear_refs" in row["memory_method"]


def test_the_dry_runs_fits_by_hand() -> None:
    """``bench/paper_dry_run.py``'s straight line and largest batch on made-up points."""
    sys.path.insert(0, str(ROOT / "bench"))
    from paper_dry_run import _batches, largest_batch, line

    assert line([(2, 5.0), (4, 9.0)]) == (1.0, 2.0)  # v = 1 + 2 b
    assert largest_batch(1.0, 2.0, 10.0) == 4  # 1 + 2 * 4 = 9 <= 10 < 11
    assert largest_batch(11.0, 2.0, 10.0) is None  # not even batch 1
    assert largest_batch(1.0, 0.0, 10.0) == 10**6  # flat: no limit from memory
    assert _batches(25, 10) == 2 and _batches(9, 10) is None  # batch x T -> videos of T
