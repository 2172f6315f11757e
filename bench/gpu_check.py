"""For the day a GPU is lent: every trainer at the ``paper`` profile's sizes on CUDA for up to a
few hundred steps, its steps/s and peak memory, into ``results/paper/gpu_check.json``; all of
it inside 8 minutes. Needs no edits: run it as it is.

    python bench/gpu_check.py                      # paper sizes, cuda if present, <= 7.5 min
    python bench/gpu_check.py --profile smoke --seconds 60 --out /tmp/gpu_check.json

Each trainer runs in its own process (an out-of-memory or a crash costs that trainer only),
with a share of the time left: one step to warm up, then timed steps until ``--steps`` or its
share is spent. Mixed precision (bf16 autocast, no loss scaling needed) on CUDA; a trainer
whose step fails under autocast runs again in fp32, and its row says so. Peak memory is
:class:`paper_steps.PeakMemory`'s (CUDA: max_memory_allocated over the timed steps).
ROVR's trainers place no tensor on a device themselves, so on CUDA they run under
``torch.set_default_device``; a failure there is recorded in the row, not hidden.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import torch

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from paper_steps import NAMES, PeakMemory, build  # noqa: E402


def default_device() -> str:
    return "cuda" if torch.cuda.is_available() else "cpu"


def run_trainer(name: str, profile: str, device: str, steps: int, seconds: float,
                amp: bool) -> dict[str, Any]:
    """In this process: build, one warm-up step, then timed steps within ``seconds``."""
    start = time.perf_counter()
    dev = torch.device(device)
    if name.startswith("rovr") and dev.type == "cuda":
        torch.set_default_device(dev)  # ROVR's code follows torch's default device
        built = build(name, profile=profile, device="cpu")
    else:
        built = build(name, profile=profile, device=dev)

    def precision() -> Any:
        if amp and dev.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    with precision():
        built.step()  # warm-up: cuDNN autotuning, the optimizer's state
    done, timed = 0, 0.0
    with PeakMemory(dev) as peak:
        while done < steps and (done == 0 or time.perf_counter() - start < seconds):
            tick = time.perf_counter()
            with precision():
                out = built.step()
            if dev.type == "cuda":
                torch.cuda.synchronize(dev)
            timed += time.perf_counter() - tick
            done += 1
    return {"trainer": name, "profile": profile, "device": device, "batch": built.batch,
            "amp": "bf16 autocast" if amp and dev.type == "cuda" else "fp32",
            "steps": done, "steps_per_s": done / timed if timed else None,
            "peak_step_bytes": peak.bytes, "memory_method": peak.method,
            "model_bytes": built.model_bytes(), "wall_s": time.perf_counter() - start,
            "losses": {k: float(v) for k, v in out.losses.items()} if done else {},
            "status": "ok"}


def in_process(name: str, args: argparse.Namespace, seconds: float, amp: bool
               ) -> dict[str, Any]:
    """``run_trainer`` in a fresh process, killed at ``seconds`` + a margin."""
    cmd = [sys.executable, __file__, "--worker", name, "--profile", args.profile,
           "--device", args.device, "--steps", str(args.steps), "--seconds", str(seconds)]
    if not amp:
        cmd.append("--no-amp")
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 30)
    except subprocess.TimeoutExpired:
        return {"trainer": name, "status": f"killed after {seconds + 30:.0f} s (build or first "
                "step too slow)"}
    if proc.returncode != 0:
        return {"trainer": name, "status": "failed", "error": proc.stderr.strip()[-1500:]}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="paper")
    parser.add_argument("--device", default=default_device())
    parser.add_argument("--steps", type=int, default=300, help="timed steps per trainer, at most")
    parser.add_argument("--seconds", type=float, default=450.0,
                        help="all trainers together (the 8-minute slot, less a margin)")
    parser.add_argument("--only", nargs="+", choices=NAMES, default=list(NAMES))
    parser.add_argument("--no-amp", action="store_true", help="fp32 only")
    parser.add_argument("--out", default=str(HERE.parent / "results" / "paper" / "gpu_check.json"))
    parser.add_argument("--worker", choices=NAMES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        row = run_trainer(args.worker, args.profile, args.device, args.steps, args.seconds,
                          not args.no_amp)
        print(json.dumps(row))
        return
    from rlvid.config import load_config
    from rlvid.runtime import provenance, write_json

    deadline = time.perf_counter() + args.seconds
    rows = []
    for i, name in enumerate(args.only):
        share = max(5.0, (deadline - time.perf_counter()) / (len(args.only) - i) - 30)
        row = in_process(name, args, share, not args.no_amp)
        if row["status"] == "failed" and not args.no_amp and args.device.startswith("cuda"):
            first = row.get("error", "")
            row = in_process(name, args, share / 2, False)  # FALLBACK: fp32 after an amp failure
            row["amp_failed"] = first
        rows.append(row)
        print(json.dumps({k: row.get(k) for k in ("trainer", "status", "steps", "steps_per_s",
                                                  "peak_step_bytes")}), flush=True)
    write_json(args.out, {"name": "gpu_check",
                          "provenance": provenance(load_config(args.profile), device=args.device),
                          "notes": f"{args.profile} profile sizes on {args.device}; "
                                   f"{args.seconds:.0f} s for all trainers",
                          "rows": rows})
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
