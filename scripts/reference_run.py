"""A long reference run at a pinned commit, one result file per seed, resumable across sessions.

    python scripts/reference_run.py v3 --commit HEAD --seeds 0 1 2 3 4   # start or resume
    python scripts/reference_run.py v3 --merge --seeds 0 1 2 3 4         # build the table

The run's code is a ``git worktree`` at ``--commit`` (``.reference/<name>-<sha>``), so
``main`` can move on while the run stays fixed. Each seed runs in its own process from that
worktree and writes ``results/<profile>/<name>/seed-<s>.json`` with the commit's provenance
as soon as it finishes: commit those files as they land. Running the same command in a
later session resumes only the missing seeds, at the commit the folder's results name
(another commit is refused). ``--merge`` writes ``results/<profile>/<name>.json`` from the
seed files, refusing a mix of commits. Experiments:

- ``v3``: claim V3 (the RL phase helps): per seed, GAN pretraining, then from its checkpoint
  the RL phase with ``--updates`` DDPG updates (``rlv2v``) and GAN training continued for
  the RL phase's FLOPs (``gan_continued``), on the synthetic set at ``--profile``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

from rlvid.v2v.methods import GAN_CONTINUED, OURS

ROOT = Path(__file__).resolve().parent.parent
EXPERIMENTS = {"v3": ("synthetic", (OURS, GAN_CONTINUED.name))}


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def worker(name: str, seed: int, out: Path, profile: str, updates: int, root: Path,
           pretrain: int | None, extra: list[str]) -> int:
    """One seed, in this process (run from the pinned worktree). Its run folders stay in
    the worktree, so a seed killed mid-way resumes from its checkpoints."""
    from rlvid.config import load_config, parse_override
    from rlvid.data import load_v2v_dataset
    from rlvid.metrics import metric_backends
    from rlvid.runtime import provenance
    from rlvid.storage.seed_results import write_seed_result
    from rlvid.v2v.evaluate import evaluate_translation
    from rlvid.v2v.experiment import train_and_evaluate

    dataset, methods = EXPERIMENTS[name]
    overrides = {"seeds": [seed], "v2v.rl_iterations": updates}
    if pretrain is not None:
        overrides["v2v.pretrain_iterations"] = pretrain
    overrides.update(parse_override(item) for item in extra)  # "v2v.lr=1e-3": in provenance
    cfg = load_config(profile, overrides)
    data = load_v2v_dataset(dataset, cfg.data, seed=cfg.v2v.data_seed)
    experiment = train_and_evaluate(cfg, data, data.x_test,
                                    lambda output: evaluate_translation(output, data),
                                    root, dataset, methods=methods, fresh=False,
                                    workers=1)
    rows = [{k: v for k, v in r.items() if not isinstance(v, list)} for r in experiment.rows]
    backends = {k: v for k, v in metric_backends().items() if k == "flow"}
    path = write_seed_result(out, seed, rows, provenance(cfg, backends))
    print(f"seed {seed}: wrote {path}")
    return 0


def start(name: str, commit: str, seeds: list[int], profile: str, updates: int,
          workers: int, pretrain: int | None, extra: list[str]) -> int:
    """Create or reuse the worktree at ``commit``; run every missing seed from it."""
    from rlvid.storage.seed_results import missing_seeds, pinned_worktree

    sha = _git("rev-parse", commit)
    out = ROOT / "results" / profile / name
    todo = missing_seeds(out, seeds, sha)
    if not todo:
        print(f"every seed of {name} has a result at {sha[:12]}; merge with --merge")
        return 0
    out.mkdir(parents=True, exist_ok=True)
    tree = pinned_worktree(ROOT, name, sha)
    env = {**os.environ, "PYTHONPATH": str(tree), "RLVID_PROGRESS": "0"}
    print(f"{name} at {sha[:12]}: seeds {todo} from {tree}")
    running: list[tuple[int, subprocess.Popen, float]] = []
    failed = []
    while todo or running:
        while todo and len(running) < workers:
            seed = todo.pop(0)
            log = open(out.parent / f".{name}-seed-{seed}.log", "w")  # noqa: SIM115
            cmd = [sys.executable, str(tree / "scripts" / "reference_run.py"), name,
                   "--worker", str(seed), "--out", str(out), "--profile", profile,
                   "--updates", str(updates), "--runs", str(tree / "runs" / name),
                   *([] if pretrain is None else ["--pretrain", str(pretrain)]),
                   *(f"--override={o}" for o in extra)]
            running.append((seed, subprocess.Popen(cmd, cwd=tree, env=env, stdout=log,
                                                   stderr=subprocess.STDOUT), time.time()))
        time.sleep(5)
        for item in list(running):
            seed, proc, began = item
            if proc.poll() is not None:
                running.remove(item)
                print(f"seed {seed}: exit {proc.returncode} after {time.time() - began:.0f} s")
                if proc.returncode:
                    failed.append(seed)
    return 1 if failed else 0


# The table's reference rows (twin, trivial rows), scored by the pinned commit's own code so
# that every number of the merged table comes from one commit.
REFERENCE_ROWS = """
import json, sys
from rlvid.config import load_config
from rlvid.data import load_v2v_dataset
from rlvid.v2v import references
profile, dataset = sys.argv[1], sys.argv[2]
cfg = load_config(profile)
data = load_v2v_dataset(dataset, cfg.data, seed=cfg.v2v.data_seed)
if hasattr(references, "synthetic_reference_rows"):
    rows = references.synthetic_reference_rows(data)
else:  # a commit before the helper (V3's run, 98062b7): the same calls, spelled out
    from rlvid.v2v.evaluate import evaluate_translation
    videos = references.reference_videos(data, references.flat_synthetic(data))
    rows = references.reference_rows(videos, lambda v: evaluate_translation(v, data), dataset)
print(json.dumps(rows))
"""


def reference_rows(name: str, commit: str, profile: str) -> list[dict]:
    """The reference rows of ``name``'s dataset, computed in the worktree at ``commit``."""
    import json

    from rlvid.storage.seed_results import pinned_worktree

    tree = pinned_worktree(ROOT, name, commit)
    env = {**os.environ, "PYTHONPATH": str(tree), "RLVID_PROGRESS": "0", "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", REFERENCE_ROWS, profile, EXPERIMENTS[name][0]],
                          cwd=tree, env=env, capture_output=True, text=True)
    if done.returncode:
        from rlvid.errors import RlvidError

        raise RlvidError(f"reference rows at {commit[:12]} failed: "
                         f"{done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def merge(name: str, seeds: list[int], profile: str) -> int:
    from rlvid.results import write_table
    from rlvid.storage.seed_results import merge_seed_results

    out = ROOT / "results" / profile
    rows, prov = merge_seed_results(out / name, seeds)
    reference = reference_rows(name, prov["git_commit"], profile)
    path = write_table(name, rows + reference, None,
                       notes=f"merged from {len(seeds)} seed results of one reference run at "
                             f"{prov['git_commit'][:12]}, then reference rows (kind) scored "
                             "at the same commit", directory=out, provenance_=prov)
    print(f"wrote {path}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(EXPERIMENTS))
    parser.add_argument("--commit", default="HEAD", help="the commit the run is pinned at")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--updates", type=int, default=1000, help="DDPG updates of the RL phase")
    parser.add_argument("--pretrain", type=int, default=None,
                        help="GAN pretraining steps (default: the profile's)")
    parser.add_argument("--override", action="append", default=[], metavar="KEY=NUMBER",
                        help="a config field of every seed (e.g. v2v.lr=1e-3)")
    parser.add_argument("--workers", type=int, default=2, help="seeds at once (one per core)")
    parser.add_argument("--merge", action="store_true", help="write the table from seed files")
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker is not None:
        return worker(args.name, args.worker, args.out, args.profile, args.updates, args.runs,
                      args.pretrain, args.override)
    if args.merge:
        return merge(args.name, args.seeds, args.profile)
    return start(args.name, args.commit, args.seeds, args.profile, args.updates, args.workers,
                 args.pretrain, args.override)


if __name__ == "__main__":
    from rlvid.errors import RlvidError

    try:
        sys.exit(main())
    except RlvidError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
