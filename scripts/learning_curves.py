"""Learning curves of the V2V GANs (issue 22), one method and one seed per process, at a
pinned commit; each curve file is rewritten after every point, so a killed run keeps what
it scored and resumes from its run folder.

    python scripts/learning_curves.py --commit HEAD --set synthetic --method pretrain_only \
        --steps 1500

The code runs from a ``git worktree`` at ``--commit`` (``.reference/curves-<sha>``); the
curve goes to ``results/<profile>/curves/<set>-<method>.json`` with that commit's
provenance and the set's reference rows (the trivial rows' floors the curve must clear).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from rlvid.v2v.methods import CURVE_METHODS

ROOT = Path(__file__).resolve().parent.parent
FRACTIONS = (0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0)  # of the horizon


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip()


def evaluator_of(cfg: object, dataset: str, data: object) -> tuple[object, list[dict]]:
    """``output -> scores`` for ``dataset`` and its reference rows (perceptual left out:
    a curve needs the primary metrics only)."""
    from rlvid.v2v import references

    if dataset == "synthetic":
        from rlvid.v2v.evaluate import evaluate_translation

        def evaluate(out):  # noqa: ANN001, ANN202
            return evaluate_translation(out, data, perceptual=None)
        flat = references.flat_synthetic(data)
        refs = references.reference_rows(references.reference_videos(data, flat), evaluate,
                                         dataset)
        return evaluate, refs
    from rlvid.v2v.style import dataset_evaluator, held_out_judge, reference_rows

    evaluate = dataset_evaluator(data, held_out_judge(cfg, dataset, data.zbar), perceptual=None)
    return evaluate, reference_rows(data, evaluate, dataset)


def worker(dataset: str, method: str, steps: int, seed: int, profile: str, out: Path,
           runs: Path, overrides: list[str]) -> int:
    import torch

    from rlvid.config import load_config, parse_override
    from rlvid.data import load_v2v_dataset
    from rlvid.runtime import provenance, write_json
    from rlvid.v2v.curves import curve_overrides, learning_curve, scalar_scores

    extra = dict(item.split("=", 1) for item in overrides)  # a probe: "v2v.lr=1e-3"
    cfg = load_config(profile, {"seeds": [seed], **curve_overrides(method, steps),
                                **dict(parse_override(item) for item in overrides)})
    label = method + "".join(f" {k}={v}" for k, v in extra.items())
    name = f"{dataset}-{method}" + "".join(f"-{k}={v}" for k, v in extra.items())
    torch.set_num_threads(max(1, cfg.torch_threads))  # one core a curve (2 threads: ~8x slower)
    prov = provenance(cfg, {})
    commit = str(prov["git_commit"])
    if commit.endswith("-dirty") or commit == "unknown":
        print(f"error: a committed curve needs a clean commit, got {commit}", file=sys.stderr)
        return 2
    data = load_v2v_dataset(dataset, cfg.data, seed=cfg.v2v.data_seed)
    evaluate, refs = evaluator_of(cfg, dataset, data)
    refs = [{k: v for k, v in r.items() if not isinstance(v, list)} for r in refs]
    points = sorted({max(1, round(steps * f)) for f in FRACTIONS})
    path = out / f"{name}.json"

    def write(rows: list[dict]) -> None:
        write_json(path, {"name": f"curve {dataset} {label}", "provenance": prov,
                          "dataset": dataset, "method": label, "horizon": steps,
                          "rows": [scalar_scores(r) | {"method": label} for r in rows],
                          "reference": refs})
        print(f"{name}: step {rows[-1]['step']} written", flush=True)

    scored = []  # a killed curve resumes with the points it wrote
    if path.is_file():
        import json

        before = json.loads(path.read_text())
        if before["provenance"]["git_commit"] != commit or before["horizon"] != steps:
            print(f"error: {path} holds a curve of another commit or horizon; move it away "
                  "to run this one", file=sys.stderr)
            return 2
        scored = before["rows"]
    learning_curve(cfg, method, data, dataset, evaluate, runs / f"{name}-s{seed}",
                   points, seed=seed, on_point=write, scored=scored)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", dest="dataset", required=True,
                        choices=("synthetic", "flowers", "city"))
    parser.add_argument("--method", required=True, choices=CURVE_METHODS)
    parser.add_argument("--steps", type=int, required=True, help="the curve's horizon")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--profile", default="cpu")
    parser.add_argument("--commit", default="HEAD", help="the commit the curve is pinned at")
    parser.add_argument("--override", action="append", default=[], metavar="KEY=NUMBER",
                        help="a config field for a probe curve (e.g. v2v.lr=1e-3)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = ROOT / "results" / args.profile / "curves"
    if args.worker:
        return worker(args.dataset, args.method, args.steps, args.seed, args.profile,
                      Path(os.environ["RLVID_CURVE_OUT"]), ROOT / "runs" / "curves",
                      args.override)
    from rlvid.storage.seed_results import pinned_worktree

    tree = pinned_worktree(ROOT, "curves", _git("rev-parse", args.commit))
    out.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(tree), "RLVID_PROGRESS": "0",
           "RLVID_CURVE_OUT": str(out)}
    cmd = [sys.executable, str(tree / "scripts" / "learning_curves.py"), "--worker",
           "--set", args.dataset, "--method", args.method, "--steps", str(args.steps),
           "--seed", str(args.seed), "--profile", args.profile,
           *(f"--override={o}" for o in args.override)]
    return subprocess.run(cmd, cwd=tree, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
