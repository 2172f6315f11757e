"""``rlvid data make`` and ``rlvid data show``: build, cache, inspect the datasets.

numpy, torch and the dataset modules are imported when a command runs, so ``rlvid --help``
stays fast.
"""

from __future__ import annotations

import argparse
import dataclasses
import io
import time
from pathlib import Path
from typing import TYPE_CHECKING, Union

from rlvid.cli.common import add_config_args, config_from_args, whole_number
from rlvid.errors import RlvidError

if TYPE_CHECKING:
    import numpy as np
    import torch

    from rlvid.config import Config
    from rlvid.data.masked import MaskedVideoSet
    from rlvid.data.v2v_sets import V2VDataset

V2V_NAMES = ("synthetic", "flowers", "city")  # rlvid.data.v2v_sets.V2V_NAMES (a test checks)
NAMES = (*V2V_NAMES, "masked")
Dataset = Union["V2VDataset", "MaskedVideoSet"]


def build(name: str, cfg: Config, seed: int) -> dict[str, Dataset]:
    """The named dataset(s) (from the cache when present): ``{label: dataset}``."""
    from rlvid.data.masked import make_masked_set
    from rlvid.data.v2v_sets import load_v2v_dataset

    if name in V2V_NAMES:
        return {name: load_v2v_dataset(name, cfg.data, seed)}
    if name == "masked":
        return {f"masked-{split}": make_masked_set(cfg.data, split, seed)
                for split in ("train", "test")}
    raise RlvidError(f"dataset {name!r} is unknown; choose one of {', '.join(NAMES)}, all")


def tensors(dataset: Dataset) -> dict[str, torch.Tensor]:
    import torch

    return {f.name: getattr(dataset, f.name) for f in dataclasses.fields(dataset)
            if isinstance(getattr(dataset, f.name), torch.Tensor)}


def describe(label: str, dataset: Dataset) -> list[str]:
    """One line per tensor: name, shape, dtype and value range."""
    import numpy as np

    from rlvid.data.masked import MaskedVideoSet

    lines = [label]
    for key, t in tensors(dataset).items():
        span = f"[{t.float().min().item():.3g}, {t.float().max().item():.3g}]" if t.numel() else ""
        dtype = str(t.dtype).replace("torch.", "")
        lines.append(f"  {key:<13} {str(tuple(t.shape)):<26} {dtype:<8} {span}")
    if isinstance(dataset, MaskedVideoSet):
        counts = np.triu(dataset.valid.numpy(), 1).sum(axis=(2, 3))
        lines.append(f"  valid pairs per target: min {counts.min()}, mean "
                     f"{counts.mean():.1f}, max {counts.max()}")
    return lines


def save_npz(path: Path, dataset: Dataset) -> Path:
    import numpy as np

    from rlvid.storage.files import atomic_write_bytes

    buffer = io.BytesIO()
    np.savez(buffer, **{k: v.numpy() for k, v in tensors(dataset).items()})
    return atomic_write_bytes(path, lambda fh: fh.write(buffer.getvalue()))


def sample_image(dataset: Dataset, frames: int = 8) -> np.ndarray:
    """A (H, W, 3) uint8 grid: rows X, Y, Z, Zbar (or videos / corrupted for ROVR)."""
    import numpy as np
    import torch

    from rlvid.data.masked import MaskedVideoSet

    if isinstance(dataset, MaskedVideoSet):
        rows = [dataset.videos[0], dataset.corrupted[0]]
    else:
        rows = [dataset.x[0], dataset.y[0], dataset.z[0], dataset.zbar]
    n = min(frames, *(len(r) for r in rows))
    strips = [torch.cat(list(r[:n]), dim=2) for r in rows]  # (3, H, n W)
    grid = torch.cat(strips, dim=1).permute(1, 2, 0).numpy()
    scale = max(1, 64 // rows[0].shape[-1])  # frames at least 64 pixels tall
    grid = np.kron(grid, np.ones((scale, scale, 1), np.float32))
    return (np.clip(grid, 0, 1) * 255).round().astype(np.uint8)


def write_png(path: Path, image: np.ndarray) -> Path:
    import imageio.v3 as iio

    from rlvid.storage.files import atomic_write_bytes

    data = iio.imwrite("<bytes>", image, extension=".png")
    return atomic_write_bytes(path, lambda fh: fh.write(data))


def _cmd_make(args: argparse.Namespace) -> int:
    from rlvid.data.folders import load_video_folder
    from rlvid.data.masked import mask_videos
    from rlvid.paths import cache_dir
    from rlvid.storage.files import check_writable_dir

    cfg = config_from_args(args)
    names = NAMES if args.name == "all" else (args.name,)
    out = check_writable_dir(args.out) if args.out else None
    for name in names:
        start = time.perf_counter()
        if args.from_folder:
            if name != "masked":
                raise RlvidError("--from-folder works with 'masked' only")
            skipped: list[tuple[str, str]] = []
            videos = load_video_folder(args.from_folder, cfg.data.rovr_size, cfg.data.rovr_len,
                                       skip_bad=args.skip_bad, skipped=skipped)
            for file, reason in skipped:
                print(f"skipped {file}: {reason}")
            built = {"masked-folder": mask_videos(videos, cfg.data, args.seed)}
        else:
            built = build(name, cfg, args.seed)
        seconds = time.perf_counter() - start
        for label, dataset in built.items():
            print("\n".join(describe(f"{label} (profile {cfg.profile}, seed {args.seed}, "
                                     f"{seconds:.2f} s)", dataset)))
            if out is not None:
                path = save_npz(out / f"{label}_{cfg.profile}_seed{args.seed}.npz", dataset)
                print(f"  wrote {path}")
    print(f"cache: {cache_dir()}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from rlvid.data.v2v_sets import V2VDataset
    from rlvid.storage.files import check_writable_dir

    cfg = config_from_args(args)
    png = Path(args.out or Path("build") / "data" / f"{args.name}_{cfg.profile}.png")
    if png.suffix.lower() != ".png" or png.is_dir():
        raise RlvidError(f"{png}: --out must be a .png file name")
    check_writable_dir(png.parent, label=png)
    built = build(args.name, cfg, args.seed)
    for label, dataset in built.items():
        print("\n".join(describe(label, dataset)))
        if isinstance(dataset, V2VDataset):
            counts = ", ".join(f"{k} {v}" for k, v in dataset.counts().items())
            print(f"  counts: {counts}")
    first = next(iter(built.values()))
    write_png(png, sample_image(first))
    print(f"sample: {png}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``data make`` and ``data show`` to the ``rlvid`` command."""
    data = subparsers.add_parser("data", help="build, cache and inspect datasets")
    sub = data.add_subparsers(dest="data_command", metavar="COMMAND")
    make = sub.add_parser("make", help="generate (or load from the cache) a dataset")
    make.add_argument("name", choices=(*NAMES, "all"))
    add_config_args(make)
    make.add_argument("--seed", type=whole_number(0), default=0)
    make.add_argument("--out", default=None, help="also write each set to DIR/<set>.npz")
    make.add_argument("--from-folder", default=None, metavar="DIR",
                      help="masked only: mask real videos from DIR (mp4 files or clip folders)")
    make.add_argument("--skip-bad", action="store_true",
                      help="with --from-folder: skip unreadable or short videos and report them")
    make.set_defaults(func=_cmd_make)
    show = sub.add_parser("show", help="counts, shapes and a sample image of a dataset")
    show.add_argument("name", choices=NAMES)
    add_config_args(show)
    show.add_argument("--seed", type=whole_number(0), default=0)
    show.add_argument("--out", default=None, help="sample PNG (default build/data/NAME_P.png)")
    show.set_defaults(func=_cmd_show)
    data.set_defaults(func=lambda args: (data.print_help(), 2)[1])
