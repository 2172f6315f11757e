"""Long reference runs: per-seed results at one clean commit, resumed and merged."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rlvid.errors import RlvidError
from rlvid.results import load_table, write_table
from rlvid.storage.seed_results import (
    merge_seed_results,
    missing_seeds,
    pinned_worktree,
    write_seed_result,
)

A, B = "a" * 40, "b" * 40


def _rows(seed: int) -> list[dict]:
    return [{"method": "rlv2v", "seed": seed, "gated_acc": 0.1 * seed},
            {"method": "gan_continued", "seed": seed, "gated_acc": 0.05 * seed}]


def test_missing_seeds_resume_at_the_pinned_commit(tmp_path: Path) -> None:
    assert missing_seeds(tmp_path, [0, 1, 2], A) == [0, 1, 2]
    write_seed_result(tmp_path, 1, _rows(1), {"git_commit": A, "profile": "cpu"})
    assert missing_seeds(tmp_path, [0, 1, 2], A) == [0, 2]
    with pytest.raises(RlvidError, match="other commits"):
        missing_seeds(tmp_path, [0, 1, 2], B)


def test_a_dirty_or_unknown_commit_and_foreign_rows_are_refused(tmp_path: Path) -> None:
    for commit in (A + "-dirty", "unknown", ""):
        with pytest.raises(RlvidError, match="clean commit"):
            write_seed_result(tmp_path, 0, _rows(0), {"git_commit": commit})
    with pytest.raises(RlvidError, match="another seed"):
        write_seed_result(tmp_path, 0, _rows(3), {"git_commit": A})
    assert not list(tmp_path.iterdir())  # nothing half-written


def test_merge_needs_every_seed_and_one_commit(tmp_path: Path) -> None:
    for seed in (0, 1):
        write_seed_result(tmp_path, seed, _rows(seed), {"git_commit": A, "profile": "cpu"})
    with pytest.raises(RlvidError, match=r"no result yet for seeds \[2\]"):
        merge_seed_results(tmp_path, [0, 1, 2])
    rows, prov = merge_seed_results(tmp_path, [0, 1])
    assert [r["seed"] for r in rows] == [0, 0, 1, 1] and prov["git_commit"] == A
    path = write_table("v3", rows, None, directory=tmp_path / "out", provenance_=prov)
    assert load_table(path)["provenance"]["git_commit"] == A  # the run's, not this process's
    write_seed_result(tmp_path, 2, _rows(2), {"git_commit": B, "profile": "cpu"})
    with pytest.raises(RlvidError, match="2 commits"):
        merge_seed_results(tmp_path)


def test_the_pinned_worktree_is_made_once_at_the_commit(tmp_path: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True,
                              text=True).stdout.strip()

    git("init", "-q")
    (tmp_path / "a.txt").write_text("first")
    git("add", "a.txt")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "first")
    sha = git("rev-parse", "HEAD")
    (tmp_path / "a.txt").write_text("second")  # main moves on; the tree stays at sha
    tree = pinned_worktree(tmp_path, "v3", sha)
    assert tree == tmp_path / ".reference" / f"v3-{sha[:12]}"
    assert (tree / "a.txt").read_text() == "first"
    assert pinned_worktree(tmp_path, "v3", sha) == tree  # the second call reuses it
    assert len(git("worktree", "list").splitlines()) == 2
