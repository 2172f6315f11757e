"""A pilot of claim V3 at the issue's RL length, before a 5-seed run is paid for.

    python scripts/pilot_v3.py --seeds 0 1 --updates 1000 --root /tmp/v3-pilot

Per seed: GAN pretraining (``pretrain_only``), then from its checkpoint the RL phase with
``--updates`` DDPG updates (``rlv2v``) and GAN training continued for the RL phase's FLOPs
(``gan_continued``, the compute-matched control), as 10_synthetic runs them, at the ``cpu``
profile. It answers the brief's two questions before an experiment: does the phase move
the policy networks (‖Δθ‖/‖θ‖, updates), and how large and how noisy is the paired effect
on content-gated accuracy; and it measures what one seed costs, in core-seconds, so the
5-seed run can be sized. Writes ``v3_pilot.json`` to the results folder (``$RLVID_RESULTS``,
else ``build/<profile>/results``), with the git commit; copy it to ``results/cpu/``. Jobs
resume from ``--root``, so a killed pilot run again redoes only what did not finish.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from rlvid.config import load_config
from rlvid.data import load_v2v_dataset
from rlvid.results import write_table
from rlvid.v2v.evaluate import evaluate_translation
from rlvid.v2v.experiment import train_and_evaluate

KEEP = ("method", "seed", "gated_acc", "tdiff", "psnr", "bg_acc", "iou", "train_s", "updates",
        "flops", "budget_ratio", "param_change", "phase_updates", "transitions", "buffer_fill")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1])
    parser.add_argument("--updates", type=int, default=1000, help="DDPG updates (rl_iterations)")
    parser.add_argument("--root", default="/tmp/v3-pilot", help="run directories (resumed)")
    parser.add_argument("--fresh", action="store_true", help="delete earlier runs under --root")
    parser.add_argument("--profile", default="cpu", help="cpu (the pilot) or smoke (a check)")
    args = parser.parse_args()
    cfg = load_config(args.profile, {"seeds": args.seeds, "v2v.rl_iterations": args.updates})
    data = load_v2v_dataset("synthetic", cfg.data, seed=cfg.v2v.data_seed)
    start = time.time()
    experiment = train_and_evaluate(
        cfg, data, data.x_test, lambda out: evaluate_translation(out, data), args.root,
        "synthetic", methods=("rlv2v", "gan_continued"), fresh=args.fresh,
        workers=len(args.seeds))
    wall = time.time() - start
    rows = [{k: r[k] for k in KEEP if k in r} for r in experiment.rows]
    by = {(r["method"], r["seed"]): r for r in rows}
    diffs = [by[("rlv2v", s)]["gated_acc"] - by[("gan_continued", s)]["gated_acc"]
             for s in args.seeds]
    spread = statistics.stdev(diffs) if len(diffs) > 1 else float("nan")
    cost = {m: statistics.mean(by[(m, s)]["train_s"] for s in args.seeds)
            for m in ("pretrain_only", "rlv2v", "gan_continued")}
    notes = (f"pilot, {len(args.seeds)} seeds, {args.updates} DDPG updates; wall {wall:.0f} s "
             f"with {len(args.seeds)} processes on this machine; paired rlv2v - gan_continued "
             f"gated_acc per seed {[round(d, 4) for d in diffs]} (sd {spread:.4f}); mean "
             f"train_s per seed (branches include their pretraining): "
             + ", ".join(f"{m} {s:.0f}" for m, s in cost.items()))
    path = write_table("v3_pilot", rows, cfg, {"perceptual": "not used"}, notes=notes)
    print(notes)
    for r in rows:
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()})
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
