"""``rlvid train rovr`` and ``rlvid inpaint`` (ROVR)."""

from __future__ import annotations

import argparse
import sys

from rlvid.cli.common import (
    EXIT_STOPPED,
    add_config_args,
    add_run_dir_args,
    add_video_output_args,
    config_from_args,
    whole_number,
)
from rlvid.errors import RlvidError


def register_train(train_subparsers: argparse._SubParsersAction) -> None:
    parser = train_subparsers.add_parser(
        "rovr", help="ROVR: pretrain the local net, warm-start the policy, or train with PPG",
        description="Train one ROVR stage for one seed, training (or reusing) the stages it "
                    "needs; resumes from the checkpoint in its run directory.")
    parser.add_argument("--stage", required=True, choices=("local", "imitation", "ppg"))
    add_config_args(parser)
    add_run_dir_args(parser, "this stage's run directory (default: runs/rovr/<profile>-"
                             "<hash>/seed<S>/<stage>); earlier stages go beside it")
    parser.add_argument("--seed", type=whole_number(0), default=None,
                        help="default: the profile's first")
    parser.add_argument("--no-flow-reward", action="store_true",
                        help="ppg: leave out the terminal flow-recovery reward")
    parser.add_argument("--cold-start", action="store_true",
                        help="ppg: no imitation warm start")
    parser.set_defaults(func=_cmd_train)


def _cmd_train(args: argparse.Namespace) -> int:
    from rlvid.rovr.stages import stage_folders, train_stage
    from rlvid.runtime import check_writable_dir
    from rlvid.storage.rundir import new_folder

    cfg = config_from_args(args)  # refuses a bad value before anything is written
    seed = cfg.seeds[0] if args.seed is None else args.seed
    flow, warm = not args.no_flow_reward, not args.cold_start
    run_dir = stage_folders(cfg, args.stage, seed, args.run_dir, flow, warm)[-1][2]
    if args.force_new:
        run_dir = new_folder(run_dir)
    check_writable_dir(run_dir)
    result = train_stage(cfg, args.stage, seed, run_dir if args.run_dir or args.force_new
                         else None, flow_reward=flow, warm_start=warm)
    state = "done" if result.done else "stopped early (run the same command again to resume)"
    print(f"rovr {args.stage}: {state} at iteration {result.iteration}; "
          f"checkpoint {result.run_dir / 'checkpoint.pt'}")
    return 0 if result.done else EXIT_STOPPED


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inpaint", help="fill masked regions of a video with a trained ROVR checkpoint",
        description="Reconstruct the masked pixels of VIDEO frame by frame (ROVR). Frames of "
                    "any size are resized to the model's frame size and the result back; "
                    "known pixels are kept exactly, and the output keeps the input's size, "
                    "frame count and fps.")
    parser.add_argument("video", help="video file (mp4/avi/mov/webm/gif) or folder of frames")
    masks = parser.add_mutually_exclusive_group(required=True)
    masks.add_argument("--masks", help="folder of mask images (grey, 1-bit, RGB or RGBA "
                       "PNG/JPG), one per frame, or a mask video; white (any channel > 127) "
                       "= hidden, as in ProPainter and E2FGVI")
    masks.add_argument("--auto-masks", action="store_true",
                       help="hidden = pixels black in every channel (zeroed corruption)")
    parser.add_argument("--invert-masks", action="store_true",
                        help="with --masks: black = hidden instead")
    parser.add_argument("--checkpoint", required=True, help="a ROVR checkpoint.pt (ppg or local)")
    add_video_output_args(parser)
    parser.set_defaults(func=_cmd_inpaint)


def _cmd_inpaint(args: argparse.Namespace) -> int:
    import torch

    from rlvid.data.folders import resize_frames, resize_masks
    from rlvid.data.io import check_video_output, read_masks, read_video, video_fps, write_video
    from rlvid.rovr.inference import auto_masks, inpaint_video
    from rlvid.rovr.stage_runner import stage_state
    from rlvid.runtime import checkpoint_kind, load_checkpoint

    if args.invert_masks and not args.masks:
        raise RlvidError("--invert-masks needs --masks")
    inputs = [args.video, args.checkpoint] + ([args.masks] if args.masks else [])
    check_video_output(args.output, inputs)
    state = stage_state(load_checkpoint(args.checkpoint, restore_rng=False))  # one line if bad
    try:
        size = int(state["config"]["data"]["rovr_size"])
        state["local"]
    except (KeyError, TypeError, ValueError):
        raise RlvidError(f"{args.checkpoint}: {checkpoint_kind(state)} holds no ROVR local "
                         "network; pass the checkpoint.pt of a `rlvid train rovr` run") from None
    video = read_video(args.video)
    frames, _, height, width = video.shape
    if frames < 3:
        raise RlvidError(f"{args.video}: {frames} frame(s); ROVR needs at least 3")
    if args.auto_masks:
        masks = auto_masks(video)
    else:
        masks = read_masks(args.masks, frames, (height, width), invert=args.invert_masks,
                           video=args.video)
    hidden = masks.flatten(1).all(dim=1)
    if bool(hidden.all()):
        print(f"rlvid: warning: the masks hide every pixel of all {frames} frames; there is "
              "nothing to inpaint from, the output is the model's guess", file=sys.stderr)
    elif bool(hidden.any()):
        print(f"rlvid: warning: the masks hide every pixel of {int(hidden.sum())} of {frames} "
              "frames; those are filled from the other frames alone", file=sys.stderr)
    fps = args.fps or video_fps(args.video) or 8.0
    # the model's frame size in, the input's size out; known pixels are kept exactly
    small, pairs, selector = inpaint_video(
        resize_frames(video.masked_fill(masks, 0.0), (size, size)),
        resize_masks(masks, (size, size)), state)
    out = torch.where(masks, resize_frames(small, (height, width)), video)
    write_video(args.output, out, fps=fps)
    print(f"inpainted {frames} frames ({int(masks.sum())} hidden pixels; at {size}x{size}) "
          f"with {selector}; wrote {args.output} ({width}x{height}, {fps:g} fps)")
    return 0
