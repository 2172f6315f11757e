"""Seeds in parallel: one process per seed, each with its own torch thread count.

Nothing here schedules: locally the seeds go to a ``concurrent.futures`` process pool, and on
a cluster to ``submitit`` (SLURM's standard Python launcher; its local executor runs the same
jobs on this machine). Each seed's work is expected to resume from its own run directory, so
a killed sweep run again redoes only what did not finish.

    results = run_seeds(train_one_seed, seeds=[0, 1, 2, 3, 4], threads=1)
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from rlvid.errors import RlvidError

T = TypeVar("T")
BACKENDS = ("serial", "process", "submitit")


def default_workers(n_seeds: int, threads: int) -> int:
    """As many processes as the cores hold at ``threads`` each, and no more than seeds."""
    return max(1, min(n_seeds, (os.cpu_count() or 1) // max(1, threads)))


def _with_threads(fn: Callable[[int], T], threads: int, seed: int) -> T:
    import torch

    torch.set_num_threads(threads)
    return fn(seed)


def run_seeds(fn: Callable[[int], T], seeds: Sequence[int], threads: int = 1,
              workers: int | None = None, backend: str = "process",
              folder: str | Path | None = None, cluster: str | None = None) -> dict[int, T]:
    """``fn(seed)`` for every seed, ``threads`` torch threads each; results keyed by seed.

    ``backend``: ``"serial"`` (this process, in order), ``"process"`` (a spawn-started pool
    of ``workers`` processes) or ``"submitit"`` (jobs in ``folder``; ``cluster="local"`` runs
    them here, ``None`` lets submitit pick SLURM when it is there). ``fn`` must be picklable
    (a module-level function) for the last two. A failing seed stops the sweep with one line
    naming it; the seeds that finished keep their run directories.
    """
    if backend not in BACKENDS:
        raise RlvidError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if threads < 1:
        raise RlvidError(f"threads must be >= 1, got {threads}")
    seeds = list(seeds)
    if len(set(seeds)) != len(seeds):
        raise RlvidError(f"repeated seeds in {seeds}")
    if backend == "serial" or len(seeds) <= 1:
        return {s: _result(s, lambda s=s: _with_threads(fn, threads, s)) for s in seeds}
    if backend == "process":
        n = workers or default_workers(len(seeds), threads)
        ctx = multiprocessing.get_context("spawn")  # no forked torch state
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
            futures = {s: pool.submit(_with_threads, fn, threads, s) for s in seeds}
            return {s: _result(s, lambda f=f: f.result()) for s, f in futures.items()}
    return _submitit(fn, seeds, threads, folder, cluster)


def _result(seed: int, get: Callable[[], T]) -> T:
    try:
        return get()
    except RlvidError as exc:
        raise RlvidError(f"seed {seed}: {exc}") from None
    except Exception as exc:  # a worker's traceback is in its own log; name the seed here
        first = str(exc).splitlines()[0] if str(exc) else ""
        raise RlvidError(f"seed {seed} failed: {type(exc).__name__}: {first}") from exc


def _submitit(fn: Callable[[int], Any], seeds: list[int], threads: int,
              folder: str | Path | None, cluster: str | None) -> dict[int, Any]:
    try:
        import submitit
    except ImportError:
        raise RlvidError("backend 'submitit' needs the submitit package "
                         "(pip install submitit)") from None
    if folder is None:
        raise RlvidError("backend 'submitit' needs a folder for its job logs")
    executor = submitit.AutoExecutor(folder=str(folder), cluster=cluster)
    executor.update_parameters(cpus_per_task=threads, timeout_min=24 * 60)
    jobs = executor.map_array(_with_threads, [fn] * len(seeds), [threads] * len(seeds), seeds)
    return {s: _result(s, job.result) for s, job in zip(seeds, jobs)}
