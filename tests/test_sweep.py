"""Seeds in parallel: results keyed by seed, one process each, the thread count honoured."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from rlvid.errors import RlvidError
from rlvid.parallel.sweep import default_workers, run_seeds


def _probe(seed: int) -> tuple[int, int, int]:
    import torch

    return seed * seed, torch.get_num_threads(), os.getpid()


def _fails_on_two(seed: int) -> int:
    if seed == 2:
        raise ValueError("bad seed\nsecond line")
    return seed


def test_serial_runs_in_this_process_in_seed_order() -> None:
    out = run_seeds(_probe, [3, 1, 2], threads=1, backend="serial")
    assert list(out) == [3, 1, 2]
    assert [v[0] for v in out.values()] == [9, 1, 4]
    assert {v[2] for v in out.values()} == {os.getpid()}


def test_process_pool_gives_each_seed_its_own_process_and_threads() -> None:
    out = run_seeds(_probe, [0, 1, 2, 3], threads=1, workers=2, backend="process")
    assert {s: v[0] for s, v in out.items()} == {0: 0, 1: 1, 2: 4, 3: 9}
    assert all(v[1] == 1 for v in out.values())
    pids = {v[2] for v in out.values()}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2


def test_submitit_local_executor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the jobs import this test module by name
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))
    out = run_seeds(_probe, [0, 5], threads=1, backend="submitit", folder=tmp_path,
                    cluster="local")
    assert {s: v[0] for s, v in out.items()} == {0: 0, 5: 25}
    assert any(tmp_path.iterdir())  # submitit's job logs


def test_a_failing_seed_is_named_in_one_line() -> None:
    with pytest.raises(RlvidError, match=r"^seed 2 failed: ValueError: bad seed$"):
        run_seeds(_fails_on_two, [1, 2], backend="serial")


def test_bad_sweeps_are_refused() -> None:
    with pytest.raises(RlvidError, match="repeated seeds"):
        run_seeds(_probe, [1, 1], backend="serial")
    with pytest.raises(RlvidError, match="backend"):
        run_seeds(_probe, [1], backend="slurm-by-hand")
    with pytest.raises(RlvidError, match="threads"):
        run_seeds(_probe, [1], threads=0)


def test_default_workers_fit_the_cores() -> None:
    cores = os.cpu_count() or 1
    assert default_workers(10, 1) == min(10, cores)
    assert default_workers(1, 1) == 1
    assert default_workers(10, cores * 4) == 1
