"""``rlvid train v2v``, ``rlvid eval RUN_DIR`` and ``rlvid translate INPUT -o OUT``.

Heavy imports happen inside the handlers so ``rlvid --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

METHOD_CHOICES = ("rlv2v", "pretrain_only", "recycle", "cyclegan")


def register_train(train_subparsers: Any) -> None:
    from rlvid.cli import add_config_args

    p = train_subparsers.add_parser(
        "v2v", help="train RL-V2V-GAN (or a baseline) on a V2V dataset",
        description="Pretrain (Alg. 1 line 2) and run Algorithm 1; resumes from RUN_DIR's "
                    "checkpoint; SIGINT/SIGTERM checkpoints and stops.")
    p.add_argument("--dataset", default="synthetic", choices=("synthetic", "flowers", "city"))
    add_config_args(p)
    p.add_argument("--method", default="rlv2v", choices=METHOD_CHOICES)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--run-dir", default=None,
                   help="default: $RLVID_RUNS/v2v-<dataset>-<profile>-<method>-s<seed>")
    p.add_argument("--max-steps", type=int, default=None,
                   help="stop (with a checkpoint) after this many steps; run again to resume")
    p.set_defaults(func=_cmd_train)


def register(subparsers: Any) -> None:
    e = subparsers.add_parser("eval", help="evaluate a finished v2v run directory")
    e.add_argument("run_dir", metavar="RUN_DIR")
    e.set_defaults(func=_cmd_eval)
    t = subparsers.add_parser(
        "translate", help="translate a video (mp4/gif/frame folder) with a v2v checkpoint",
        description="Frames are resized to the model's training size; long videos are "
                    "processed in windows of T frames with the ConvLSTM state carried over.")
    t.add_argument("input", metavar="INPUT")
    t.add_argument("--checkpoint", required=True, help="model.pt or pretrained.pt of a run")
    t.add_argument("-o", "--output", required=True, help="output video (.mp4, .gif or folder)")
    t.add_argument("--fps", type=int, default=8)
    t.set_defaults(func=_cmd_translate)


def _cmd_train(args: argparse.Namespace) -> int:
    from rlvid.cli import config_from_args
    from rlvid.errors import RlvidError
    from rlvid.runtime import TrainingDiverged
    from rlvid.train.v2v import fit

    cfg = config_from_args(args)
    try:
        result = fit(cfg, args.method, seed=args.seed, run_dir=args.run_dir,
                     dataset=args.dataset, max_steps=args.max_steps)
    except TrainingDiverged as exc:
        raise RlvidError(str(exc)) from None
    print(f"{result.status} at step {result.step}: {result.run_dir}")
    if result.status != "done":
        print("run the same command again to resume")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from rlvid.train.evaluate_v2v import evaluate_run

    for row in evaluate_run(args.run_dir):
        print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v)
                          for k, v in row.items()}))
    return 0


def _cmd_translate(args: argparse.Namespace) -> int:
    import time
    from pathlib import Path

    import torch
    import torch.nn.functional as F

    from rlvid.data.io import read_video, write_video
    from rlvid.errors import RlvidError
    from rlvid.train.evaluate_v2v import translate_video
    from rlvid.train.v2v import load_translator

    ckpt = Path(args.checkpoint)
    if not ckpt.is_file():
        raise RlvidError(f"checkpoint {ckpt} does not exist")
    try:
        net, meta = load_translator(ckpt)
    except Exception as exc:  # a file that is not one of our checkpoints
        raise RlvidError(f"{ckpt} is not a v2v model checkpoint "
                         f"({type(exc).__name__})") from None
    video = read_video(args.input)  # VideoIOError (an RlvidError) names the file
    size = int(meta["size"])
    if video.shape[-2:] != (size, size):
        video = F.interpolate(video, size=(size, size), mode="bilinear", align_corners=False)
    start = time.perf_counter()
    with torch.no_grad():
        out = translate_video(net, video.clamp(0, 1), window=int(meta["frames"]))
    fps = out.shape[0] / max(time.perf_counter() - start, 1e-9)
    write_video(args.output, out, fps=args.fps)
    device = next(net.parameters()).device.type
    print(f"wrote {args.output} ({out.shape[0]} frames, {size}x{size}; "
          f"{fps:.0f} frames/s on the {device.upper()})")
    return 0
