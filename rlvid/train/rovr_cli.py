"""``rlvid train rovr`` and ``rlvid inpaint`` (ROVR)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rlvid.errors import RlvidError


def register_train(train_subparsers: argparse._SubParsersAction) -> None:
    from rlvid.cli import add_config_args

    parser = train_subparsers.add_parser(
        "rovr", help="ROVR: pretrain the local net, warm-start the policy, or train with PPG",
        description="Train one ROVR stage for one seed, training (or reusing) the stages it "
                    "needs; resumes from the checkpoint in its run directory.")
    parser.add_argument("--stage", required=True, choices=("local", "imitation", "ppg"))
    add_config_args(parser)
    parser.add_argument("--run-dir", default=None,
                        help="this stage's run directory (default: runs/rovr/<profile>-<hash>/"
                             "seed<S>/<stage>); earlier stages go beside it")
    parser.add_argument("--seed", type=int, default=None, help="default: the profile's first")
    parser.add_argument("--no-flow-reward", action="store_true",
                        help="ppg: leave out the terminal flow-recovery reward")
    parser.add_argument("--cold-start", action="store_true",
                        help="ppg: no imitation warm start")
    parser.set_defaults(func=_cmd_train)


def _cmd_train(args: argparse.Namespace) -> int:
    from rlvid.cli import config_from_args
    from rlvid.train.rovr import train_stage

    cfg = config_from_args(args)
    seed = cfg.seeds[0] if args.seed is None else args.seed
    result = train_stage(cfg, args.stage, seed, args.run_dir,
                         flow_reward=not args.no_flow_reward, warm_start=not args.cold_start)
    state = "done" if result.done else "stopped (run again to resume)"
    print(f"rovr {args.stage}: {state} at iteration {result.iteration}; "
          f"checkpoint {result.run_dir / 'checkpoint.pt'}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "inpaint", help="fill masked regions of a video with a trained ROVR checkpoint",
        description="Reconstruct the masked pixels of VIDEO frame by frame (ROVR).")
    parser.add_argument("video", help="video file or folder of frames")
    masks = parser.add_mutually_exclusive_group(required=True)
    masks.add_argument("--masks", help="folder of mask images, one per frame (white = hidden)")
    masks.add_argument("--auto-masks", action="store_true",
                       help="hidden = pixels black in every channel (zeroed corruption)")
    parser.add_argument("--checkpoint", required=True, help="a ROVR checkpoint.pt (ppg or local)")
    parser.add_argument("-o", "--output", required=True, help="output video, e.g. out.mp4")
    parser.set_defaults(func=_cmd_inpaint)


def _cmd_inpaint(args: argparse.Namespace) -> int:
    import torch

    from rlvid.data.io import read_video, write_video
    from rlvid.train.rovr import auto_masks, inpaint_video

    video = read_video(args.video)
    if args.auto_masks:
        masks = auto_masks(video)
    else:
        mask_video = read_video(args.masks)
        if mask_video.shape[0] != video.shape[0] or mask_video.shape[2:] != video.shape[2:]:
            raise RlvidError(
                f"{args.masks}: {mask_video.shape[0]} masks of "
                f"{mask_video.shape[3]}x{mask_video.shape[2]} do not match {args.video}: "
                f"{video.shape[0]} frames of {video.shape[3]}x{video.shape[2]}")
        masks = mask_video.mean(dim=1, keepdim=True) > 0.5
    path = Path(args.checkpoint)
    if not path.is_file():
        raise RlvidError(f"{path}: no such checkpoint")
    try:
        state = torch.load(path, map_location="cpu", weights_only=False)
    except Exception as exc:  # a corrupt or foreign file
        raise RlvidError(f"{path}: not a readable checkpoint ({type(exc).__name__})") from None
    if not isinstance(state, dict):
        raise RlvidError(f"{path}: not a ROVR checkpoint")
    out, pairs, selector = inpaint_video(video, masks, state)
    write_video(args.output, out)
    print(f"inpainted {video.shape[0]} frames ({int(masks.sum())} hidden pixels) with "
          f"{selector}; wrote {args.output}")
    return 0
