"""Per-seed results of a long reference run, kept at one pinned commit.

A reference run longer than a session (V3 at 1,000 DDPG updates on five seeds) runs from a
``git worktree`` checked out at one clean commit, so ``main`` may move on while the run's
code stays fixed. Each seed writes ``<dir>/seed-<s>.json`` with that commit's provenance as
soon as it finishes; a later session resumes the seeds still missing at the same commit
(:func:`missing_seeds`), and :func:`merge_seed_results` builds the table only from files
that share one commit, refusing a mix.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rlvid.errors import RlvidError
from rlvid.runtime import write_json


def pinned_worktree(project: str | Path, name: str, commit: str) -> Path:
    """``<project>/.reference/<name>-<sha12>``: a detached ``git worktree`` at ``commit`` (a
    full sha), created on first use, where a long run's code stays fixed while ``main``
    moves on."""
    tree = Path(project) / ".reference" / f"{name}-{commit[:12]}"
    if not tree.is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(tree), commit], cwd=project,
                       check=True, capture_output=True, text=True)
    return tree


def seed_path(directory: str | Path, seed: int) -> Path:
    return Path(directory) / f"seed-{seed}.json"


def write_seed_result(directory: str | Path, seed: int, rows: Sequence[Mapping[str, Any]],
                      provenance: Mapping[str, Any]) -> Path:
    """Write one seed's rows with the provenance of the run (its ``git_commit`` must be a
    clean commit: a ``-dirty`` or unknown one is refused)."""
    commit = str(provenance.get("git_commit", ""))
    if not commit or commit == "unknown" or commit.endswith("-dirty"):
        raise RlvidError(f"a reference result needs a clean commit, got {commit or 'none'!r}")
    bad = [r for r in rows if r.get("seed") != seed]
    if bad:
        raise RlvidError(f"seed-{seed} result holds rows of another seed: {bad[0].get('seed')}")
    result = {"seed": seed, "provenance": dict(provenance), "rows": [dict(r) for r in rows]}
    return write_json(seed_path(directory, seed), result)


def read_seed_results(directory: str | Path) -> dict[int, dict[str, Any]]:
    """Every ``seed-<s>.json`` in ``directory``, by seed."""
    out: dict[int, dict[str, Any]] = {}
    for path in sorted(Path(directory).glob("seed-*.json")):
        try:
            result = json.loads(path.read_text())
            seed = int(result["seed"])
            result["provenance"]["git_commit"]  # noqa: B018 -- must be present
        except (ValueError, KeyError, TypeError) as exc:
            raise RlvidError(f"{path} is not a seed result ({exc})") from None
        out[seed] = result
    return out


def missing_seeds(directory: str | Path, seeds: Sequence[int], commit: str) -> list[int]:
    """The seeds of ``seeds`` without a result at ``commit``; a result from another commit
    is refused (the run must resume where it started, or start over in a new folder)."""
    done = read_seed_results(directory)
    other = {s: r["provenance"]["git_commit"] for s, r in done.items()
             if r["provenance"]["git_commit"] != commit}
    if other:
        raise RlvidError(f"{directory} holds seeds from other commits {other}; this run is "
                         f"pinned at {commit[:12]}: resume at that commit or use a new folder")
    return [s for s in seeds if s not in done]


def merge_seed_results(directory: str | Path, seeds: Sequence[int] | None = None
                       ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """All rows of the seed results (``seeds``: those, each required) and the shared
    provenance; refuses files from more than one commit."""
    done = read_seed_results(directory)
    wanted = sorted(done) if seeds is None else list(seeds)
    absent = [s for s in wanted if s not in done]
    if absent:
        raise RlvidError(f"{directory}: no result yet for seeds {absent}")
    commits = {done[s]["provenance"]["git_commit"] for s in wanted}
    if len(commits) != 1:
        raise RlvidError(f"{directory}: seed results come from {len(commits)} commits "
                         f"({', '.join(sorted(c[:12] for c in commits))}); a table takes one")
    rows = [row for s in wanted for row in done[s]["rows"]]
    return rows, dict(done[wanted[0]]["provenance"])
