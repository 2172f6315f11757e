"""The ``paper`` profile, proven without a GPU: each trainer at the papers' sizes for a few
optimizer steps on the CPU, its seconds, FLOPs and peak memory per step, whether a step fits
an 8 GB RTX 3070 (the papers' GPU) or a 24 GB card, and the projected GPU-hours.

    python bench/paper_dry_run.py [--only cyclegan ...] [--steps 2] [--threads 1]
                                  [--out results/paper/dry_run.json]

Each (trainer, batch) runs in a fresh process (``--worker``), so one trainer's memory never
counts in another's. In it: build the trainer (:mod:`paper_steps`), reset the kernel's
peak-RSS mark (``/proc/self/clear_refs``), run ``--steps`` optimizer steps (the first one
allocates Adam's moments), read the peak (``VmHWM``), then count one more step's FLOPs with
``torch.utils.flop_counter``. The step's peak memory is the peak RSS over the RSS before it
(activations, gradients, optimizer state, allocator slack), measured; the model's parameters
and buffers (frozen nets too) are counted exactly and added for the GPU estimate. Every
trainer is measured at two small batches; memory, seconds and FLOPs at the profile's batch
come from a straight line through those two points (a fit, labelled so), as does the largest
batch that fits 8 GB and 24 GB. The projection: the profile's step counts times the fitted
FLOPs per step, at an assumed fraction of a named GPU's peak; labelled a projection.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from paper_steps import DESCRIPTION, NAMES, PeakMemory, build, profile_batch  # noqa: E402

GiB = 2**30
CARDS = {"rtx3070_8gb": 8 * GiB, "24gb": 24 * GiB}
# the two (batch, frames per video) points each trainer is measured at. V2V at 128x128 and
# the paper's widths costs ~1.3 GB and ~0.5 TFLOP per video-frame of a batch (x, y and z
# videos), so batch 8 of T = 10 (~80 video-frames, ~100 GB of host memory) cannot run on a
# 23 GB machine: V2V is measured at batch 1 with T = 2 and 3 (Recycle-GAN 3 and 4: its
# triplets), and fitted in batch x T; ROVR at two batches (None: the profile's T)
FIT_POINTS: dict[str, tuple[tuple[int, int | None], ...]] = {
    "v2v_pretrain": ((1, 2), (1, 3)), "v2v_algorithm1": ((1, 2), (1, 3)),
    "cyclegan": ((1, 2), (1, 3)), "recycle": ((1, 3), (1, 4)),
    "rovr_local": ((1, None), (2, None)), "rovr_imitation": ((8, None), (64, None)),
    "rovr_ppg": ((1, None), (2, None))}
# the projection's GPU: fp32 peak from NVIDIA's Ampere GA104 datasheet, and an assumed share
GPU = {"name": "NVIDIA RTX 3070", "fp32_peak_tflops": 20.3, "assumed_fraction_of_peak": 0.3}


def measure(name: str, batch: int, frames: int | None, steps: int) -> dict[str, Any]:
    """One process: build ``name`` at ``batch`` (and ``frames`` per V2V video), ``steps``
    timed steps, then one whose FLOPs are counted."""
    from torch.utils.flop_counter import FlopCounterMode

    start = time.perf_counter()
    built = build(name, batch, overrides={"data.video_len": frames} if frames else None)
    build_s = time.perf_counter() - start
    gc.collect()
    seconds, losses = [], {}
    with PeakMemory("cpu") as peak:
        for _ in range(steps):
            start = time.perf_counter()
            out = built.step()
            seconds.append(time.perf_counter() - start)
            losses = out.losses
    with FlopCounterMode(display=False) as counter:
        built.step()
    row = {"trainer": name, "batch": batch, "frames": built.cfg.data.video_len
           if name.startswith(("v2v", "cyclegan", "recycle")) else built.cfg.data.rovr_len,
           "fit_x": batch * frames if frames else batch, "build_s": build_s, "step_s": seconds,
           "flops_per_step": float(counter.get_total_flops()),
           "rss_before_step_bytes": peak.start, "step_peak_bytes": peak.bytes,
           "model_bytes": built.model_bytes(), "memory_method": peak.method,
           "losses_finite": all(math.isfinite(float(v)) for v in losses.values()),
           "losses": {k: float(v) for k, v in losses.items()}}
    if name == "rovr_ppg":  # the auxiliary phase over the rollouts now in B
        rollouts = len(built.trainer.ppg.buffer)
        start = time.perf_counter()
        with FlopCounterMode(display=False) as counter:
            built.trainer.ppg.auxiliary_iteration()
        row["auxiliary"] = {"rollouts": rollouts, "seconds": time.perf_counter() - start,
                            "flops_per_rollout": counter.get_total_flops() / rollouts}
    return row


def line(points: list[tuple[float, float]]) -> tuple[float, float]:
    """(intercept, slope) of the straight line through two (batch, value) points."""
    (b1, v1), (b2, v2) = points
    slope = (v2 - v1) / (b2 - b1)
    return v1 - slope * b1, slope


def largest_batch(intercept: float, slope: float, capacity: float) -> int | None:
    """The largest batch whose fitted memory fits ``capacity`` (None: not even batch 1)."""
    if slope <= 0:
        return None if intercept > capacity else 10**6
    b = math.floor((capacity - intercept) / slope)
    return b if b >= 1 else None


def _batches(fit_x: int | None, per: int) -> int | None:
    """The fitted largest batch x T as a batch of the profile's T (None: not batch 1)."""
    if fit_x is None or fit_x < per:
        return None
    return fit_x // per


def paper_steps_of(name: str) -> dict[str, int]:
    """Optimizer steps of one run of ``name`` at the ``paper`` profile (one seed)."""
    from rlvid.config import load_config
    from rlvid.rovr.ppg_stage import ppg_config

    cfg = load_config("paper")
    v, r = cfg.v2v, cfg.rovr
    return {"v2v_pretrain": {"steps": v.pretrain_iterations},
            "v2v_algorithm1": {"steps": v.rl_iterations},
            "cyclegan": {"steps": v.baseline_iterations or v.pretrain_iterations + v.rl_iterations},
            "recycle": {"steps": v.baseline_iterations or v.pretrain_iterations + v.rl_iterations},
            "rovr_local": {"steps": r.local.iterations},
            "rovr_imitation": {"steps": r.imitation.iterations},
            "rovr_ppg": {"steps": r.ppg.phases * r.ppg.policy_iterations,
                         "auxiliary_rollouts": ppg_config(r).total_steps
                         - r.ppg.phases}}[name]


def summarise(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The two measured points, the fit at the profile's batch, the fits and projection."""
    from rlvid.config import load_config

    batch = profile_batch(name)
    v2v = FIT_POINTS[name][0][1] is not None  # fitted in batch x T
    frames = load_config("paper").data.video_len
    x_profile = batch * frames if v2v else batch
    fit = {}
    for key, value in (("seconds", lambda r: min(r["step_s"])),
                       ("flops", lambda r: r["flops_per_step"]),
                       ("step_peak_bytes", lambda r: r["step_peak_bytes"])):
        fit[key] = line([(r["fit_x"], value(r)) for r in rows])
    model = rows[-1]["model_bytes"]
    at = {k: a + s * x_profile for k, (a, s) in fit.items()}
    gpu_bytes = model + at["step_peak_bytes"]
    mem_a, mem_s = fit["step_peak_bytes"]
    plan = paper_steps_of(name)
    flops_run = plan["steps"] * at["flops"]
    if name == "rovr_ppg":
        aux = rows[-1]["auxiliary"]["flops_per_rollout"]
        flops_run += plan["auxiliary_rollouts"] * aux
    rate = GPU["fp32_peak_tflops"] * 1e12 * GPU["assumed_fraction_of_peak"]
    return {
        "trainer": name, "what": DESCRIPTION[name], "profile_batch": batch,
        "fit_variable": "batch x frames per video" if v2v else "batch",
        "measured": [{k: r[k] for k in ("batch", "frames", "fit_x", "step_s", "flops_per_step",
                                        "step_peak_bytes", "rss_before_step_bytes",
                                        "losses_finite", "losses",
                                        *(["auxiliary"] if "auxiliary" in r else []))}
                     for r in rows],
        "memory_method": rows[-1]["memory_method"],
        "model_bytes": model,
        "at_profile_batch (linear fit of the two measured batches)": {
            "seconds_per_step_cpu": at["seconds"], "flops_per_step": at["flops"],
            "step_peak_bytes": at["step_peak_bytes"],
            "gpu_bytes_model_plus_step": gpu_bytes},
        "fits": {card: {"at_profile_batch": gpu_bytes <= cap,
                        "largest_batch (fit)": _batches(largest_batch(model + mem_a, mem_s, cap),
                                                        frames if v2v else 1)}
                 for card, cap in CARDS.items()},
        "projection": {"paper_steps_one_run": plan, "flops_one_run": flops_run,
                       "gpu_hours_one_run": flops_run / rate / 3600},
    }


# what each notebook trains per seed at the paper profile (see rlvid/v2v/experiment.py,
# rlvid/v2v/style.py, rlvid/rovr/table1.py, rlvid/rovr/table2.py); gan_continued is matched
# to Algorithm 1's FLOPs; evaluation is not counted
NOTEBOOK_RUNS = {
    "10_synthetic": {"v2v_pretrain": 1, "v2v_algorithm1": 2, "recycle": 1, "cyclegan": 1},
    "11_flower / 12_city / 13_your_videos (each)": {"v2v_pretrain": 1, "v2v_algorithm1": 2,
                                                    "cyclegan": 1},
    "20_rovr_local_net": {"rovr_local": 2},
    "21_rovr_ablations": {"rovr_local": 1, "rovr_imitation": 2, "rovr_ppg": 3},
}


def notebook_hours(trainers: dict[str, dict[str, Any]], seeds: int) -> dict[str, Any]:
    out = {}
    for notebook, runs in NOTEBOOK_RUNS.items():
        if all(t in trainers for t in runs):
            out[notebook] = seeds * sum(n * trainers[t]["projection"]["gpu_hours_one_run"]
                                        for t, n in runs.items())
    return out


def run_worker(name: str, batch: int, frames: int | None, steps: int, threads: int,
               tree: Path) -> dict[str, Any]:
    """``measure`` in a fresh process, on the code under ``tree``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "OMP_NUM_THREADS": str(threads)}
    cmd = [sys.executable, str(tree / "bench" / Path(__file__).name), "--worker", name,
           "--batch", str(batch), "--steps", str(steps), "--threads", str(threads),
           *(["--frames", str(frames)] if frames else [])]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} at batch {batch}: {proc.stderr[-3000:]}")
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    print(f"{name} batch {batch} frames {frames}: steps {row['step_s']} s, peak "
          f"{row['step_peak_bytes'] / GiB:.2f} GiB", flush=True)
    return row


def committed_tree(commit: str, into: Path) -> Path:
    """The code of a clean ``commit`` exported under ``into`` (edits to the working tree
    while the workers run change nothing they measure); a dirty tree runs in place."""
    root = HERE.parent
    if commit.endswith("-dirty") or commit == "unknown":
        return root
    archive = subprocess.run(["git", "-C", str(root), "archive", commit, "rlvid", "bench"],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES))
    parser.add_argument("--steps", type=int, default=2, help="timed steps per measurement")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="measurement processes at a time")
    parser.add_argument("--out", default=str(HERE.parent / "results" / "paper" / "dry_run.json"))
    parser.add_argument("--worker", choices=NAMES, help=argparse.SUPPRESS)
    parser.add_argument("--batch", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--frames", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if args.worker:
        print(json.dumps(measure(args.worker, args.batch, args.frames, args.steps)))
        return
    from rlvid.config import load_config
    from rlvid.runtime import provenance, write_json

    cfg = load_config("paper")
    record = provenance(cfg)  # now: the commit whose code the workers run
    load = {"start": os.getloadavg()}
    points = [(name, batch, frames) for name in args.only for batch, frames in FIT_POINTS[name]]
    rows: dict[tuple[str, int, int | None], dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(args.jobs) as pool:
        tree = committed_tree(record["git_commit"], Path(tmp))
        futures = {pool.submit(run_worker, *point, args.steps, args.threads, tree): point
                   for point in points}
        for future in as_completed(futures):
            rows[futures[future]] = future.result()
            done = {name: summarise(name, [rows[(name, *p)] for p in FIT_POINTS[name]])
                    for name in args.only if all((name, *p) in rows for p in FIT_POINTS[name])}
            load["now"] = os.getloadavg()
            write_json(args.out, table(record, cfg, args, done, load,
                                       complete=len(rows) == len(points)))
    print(f"wrote {args.out}")


def table(record: dict[str, Any], cfg: Any, args: argparse.Namespace,
          trainers: dict[str, Any], load: dict[str, Any], complete: bool) -> dict[str, Any]:
    """The JSON written (after every finished trainer; ``complete`` once all are in)."""
    return {"name": "paper_dry_run", "provenance": record, "complete": complete,
            "notes": (f"paper profile sizes on the CPU, {args.threads} torch thread(s) per "
                      f"process, {args.jobs} measurement processes at a time, on 2 cores shared "
                      "with other work (load averages in 'machine_load': the seconds are upper "
                      f"bounds); {args.steps} timed steps per measurement (seconds: the fastest "
                      "step); a few videos per set and a 64-transition replay buffer "
                      "(bench/paper_steps.py). Values 'at profile batch' and 'largest_batch' "
                      "are LINEAR FITS through the two measured points (V2V: in batch x T). "
                      "gpu_bytes = the model's parameters and buffers (counted) + the step's "
                      "peak over the RSS before it (measured on the CPU; no CUDA context, no "
                      "dataset on the device). GPU-hours are a PROJECTION, not a measurement: "
                      "FLOPs (torch.utils.flop_counter) at "
                      f"{GPU['assumed_fraction_of_peak']:.0%} of the {GPU['name']}'s "
                      f"{GPU['fp32_peak_tflops']} TFLOP/s fp32 peak, one GPU, training only."),
            "machine_load": load, "gpu": GPU, "cards_bytes": CARDS, "trainers": trainers,
            "projected_gpu_hours_per_notebook": {
                "seeds": len(cfg.seeds), "runs_per_seed": NOTEBOOK_RUNS,
                "hours": notebook_hours(trainers, len(cfg.seeds))}}


if __name__ == "__main__":
    main()
