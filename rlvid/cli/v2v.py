"""``rlvid train v2v``, ``rlvid eval RUN_DIR`` and ``rlvid translate INPUT -o OUT``.

Heavy imports happen inside the handlers so ``rlvid --help`` stays fast.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from rlvid.cli.common import (
    EXIT_STOPPED,
    add_config_args,
    add_run_dir_args,
    add_video_output_args,
    config_from_args,
    whole_number,
)
from rlvid.v2v.methods import CLI_METHODS, OURS


def register_train(train_subparsers: Any) -> None:
    p = train_subparsers.add_parser(
        "v2v", help="train RL-V2V-GAN (or a baseline) on a V2V dataset",
        description="Pretrain (Alg. 1 line 2) and run Algorithm 1; resumes from RUN_DIR's "
                    "checkpoint; SIGINT/SIGTERM checkpoints and stops (exit code 75: "
                    "stopped, resumable).")
    p.add_argument("--dataset", default="synthetic", choices=("synthetic", "flowers", "city"))
    add_config_args(p)
    p.add_argument("--method", default=OURS, choices=CLI_METHODS)
    p.add_argument("--seed", type=whole_number(0), default=0)
    add_run_dir_args(p, "default: $RLVID_RUNS/v2v-<dataset>-<profile>-<method>-s<seed>")
    p.add_argument("--max-steps", type=whole_number(1), default=None,
                   help="stop (with a checkpoint) after this many steps; run again to resume")
    p.set_defaults(func=_cmd_train)


def register(subparsers: Any) -> None:
    e = subparsers.add_parser("eval", help="evaluate a finished v2v run directory")
    e.add_argument("run_dir", metavar="RUN_DIR")
    e.set_defaults(func=_cmd_eval)
    t = subparsers.add_parser(
        "translate", help="translate a video (mp4/avi/mov/webm/gif/frame folder) with a v2v "
                          "checkpoint",
        description="Frames of any size are resized to the model's training size and the "
                    "result back to the input's size; the output keeps the input's frame "
                    "count and fps. Long videos are processed in windows of T frames with the "
                    "ConvLSTM state carried over.")
    t.add_argument("input", metavar="INPUT", help="video file or folder of PNG/JPG frames")
    t.add_argument("--checkpoint", required=True, help="model.pt or pretrained.pt of a run")
    add_video_output_args(t)
    t.set_defaults(func=_cmd_translate)


def _cmd_train(args: argparse.Namespace) -> int:
    from rlvid.runtime import check_writable_dir
    from rlvid.storage.rundir import check_identity, check_owned, new_folder
    from rlvid.v2v.train import default_run_dir, fit, run_identity_of

    cfg = config_from_args(args)  # refuses a bad value before anything is written
    run_dir = args.run_dir or default_run_dir(args.method, args.seed, cfg.profile, args.dataset)
    if args.force_new:
        run_dir = new_folder(run_dir)
    check_writable_dir(run_dir)
    check_owned(run_dir)  # before the dataset is built
    check_identity(run_dir, run_identity_of(cfg, args.method, args.seed, args.dataset))
    result = fit(cfg, args.method, seed=args.seed, run_dir=run_dir,
                 dataset=args.dataset, max_steps=args.max_steps)
    print(f"{result.status} at step {result.step}: {result.run_dir}")
    if result.status == "interrupted":
        print("stopped early; run the same command again to resume")
        return EXIT_STOPPED
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from rlvid.v2v.evaluate import evaluate_run

    for row in evaluate_run(args.run_dir):
        print(json.dumps({k: (round(v, 4) if isinstance(v, float) else v)
                          for k, v in row.items()}))
    return 0


def _cmd_translate(args: argparse.Namespace) -> int:
    import time

    import torch

    from rlvid.data.folders import resize_frames
    from rlvid.data.io import check_video_output, read_video, video_fps, write_video
    from rlvid.v2v.evaluate import translate_video
    from rlvid.v2v.train import load_translator

    check_video_output(args.output, inputs=(args.input, args.checkpoint))
    net, meta = load_translator(args.checkpoint)  # one line for a missing or foreign file
    video = read_video(args.input)  # VideoIOError (an RlvidError) names the file
    fps = args.fps or video_fps(args.input) or 8.0
    size = int(meta["size"])
    start = time.perf_counter()
    with torch.no_grad():
        small = translate_video(net, resize_frames(video, (size, size)),
                                window=int(meta["frames"]))
    speed = small.shape[0] / max(time.perf_counter() - start, 1e-9)
    out = resize_frames(small, tuple(video.shape[-2:]))  # back to the input's size
    write_video(args.output, out, fps=fps)
    device = next(net.parameters()).device.type
    print(f"wrote {args.output} ({out.shape[0]} frames, {out.shape[3]}x{out.shape[2]}, "
          f"{fps:g} fps; translated at {size}x{size}, {speed:.0f} frames/s on the "
          f"{device.upper()})")
    return 0
