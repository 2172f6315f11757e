"""Videos and masks in every usual form: each container in, the same container out, with the
input's size, frame count and fps kept; masks grey, 1-bit, RGB, RGBA, JPG or a video.

Inputs are written here with the shipped ffmpeg (imageio-ffmpeg) and Pillow; the models are
tiny untrained checkpoints (``_tiny_models``), so only shapes, rates and kept pixels are
checked, which need no training.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from _tiny_models import rovr_local, v2v_translator
from PIL import Image

from rlvid.cli import main
from rlvid.data.io import read_masks, read_video, video_fps, write_video
from rlvid.metrics.demo import demo_video

FPS = 12.5  # 80 ms a frame: exact in GIF's hundredths of a second too
FORMATS = [".mp4", ".avi", ".mov", ".mkv", ".webm", ".gif", "", "jpg-folder"]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("models")
    return {"v2v": v2v_translator(d / "model.pt", size=16, frames=4),
            "rovr": rovr_local(d / "local.pt", size=32)}


def _video(frames: int = 7, height: int = 18, width: int = 24) -> torch.Tensor:
    return demo_video(max(height, width), frames, seed=0)[..., :height, :width].contiguous()


def _write_input(folder: Path, fmt: str, video: torch.Tensor) -> Path:
    if fmt == "jpg-folder":
        path = folder / "jpg_frames"
        path.mkdir()
        for t, frame in enumerate(video):
            array = (frame.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)
            Image.fromarray(array).save(path / f"{t}.jpg", quality=95)
        return path
    return write_video(folder / f"input{fmt}", video, fps=FPS)


def _box_masks(frames: int, height: int, width: int) -> torch.Tensor:
    masks = torch.zeros(frames, 1, height, width, dtype=torch.bool)
    for t in range(frames):
        masks[t, 0, 2 + t % 3:9 + t % 3, 4 + t:14 + t] = True
    return masks


@pytest.mark.parametrize("fmt", FORMATS, ids=[f or "png-folder" for f in FORMATS])
def test_translate_and_inpaint_keep_size_frames_and_fps(fmt: str, tmp_path: Path, models):
    video = _video()
    source = _write_input(tmp_path, fmt, video)
    suffix = "" if fmt == "jpg-folder" else fmt
    want_fps = None if suffix == "" else pytest.approx(FPS, rel=1e-3)
    masks = _box_masks(7, 18, 24)
    write_video(tmp_path / "masks", masks.float())
    for command in (["translate", str(source), "--checkpoint", str(models["v2v"])],
                    ["inpaint", str(source), "--masks", str(tmp_path / "masks"),
                     "--checkpoint", str(models["rovr"])]):
        out = tmp_path / f"{command[0]}_out{suffix}"
        assert main([*command, "-o", str(out)]) == 0
        result = read_video(out)
        assert result.shape == (7, 3, 18, 24), command[0]  # the model ran at 16 or 32 px
        assert video_fps(out) == want_fps
        if command[0] == "inpaint" and suffix == "":  # lossless: known pixels kept exactly
            original = read_video(source)
            known = ~masks.expand_as(result)
            assert torch.equal(result[known], original[known])


def test_odd_sizes_long_and_one_frame_videos(tmp_path: Path, models):
    odd = write_video(tmp_path / "odd", _video(13, 21, 27))  # 13 frames: 4 windows of T=4
    assert main(["translate", str(odd), "--checkpoint", str(models["v2v"]),
                 "-o", str(tmp_path / "odd.mp4"), "--fps", "5"]) == 0
    assert read_video(tmp_path / "odd.mp4").shape == (13, 3, 21, 27)  # yuv444p: no padding
    assert video_fps(tmp_path / "odd.mp4") == pytest.approx(5)
    one = write_video(tmp_path / "one.gif", _video(1), fps=FPS)
    assert main(["translate", str(one), "--checkpoint", str(models["v2v"]),
                 "-o", str(tmp_path / "one_out.gif")]) == 0
    assert read_video(tmp_path / "one_out.gif").shape == (1, 3, 18, 24)


def test_grey_and_rgba_input_frames_are_accepted(tmp_path: Path, models):
    grey, rgba = tmp_path / "grey", tmp_path / "rgba"
    grey.mkdir(), rgba.mkdir()
    for t in range(4):
        Image.fromarray(np.full((18, 24), 40 * t, np.uint8)).save(grey / f"{t}.png")
        pixels = np.zeros((18, 24, 4), np.uint8)
        pixels[..., :3], pixels[..., 3] = 200, 255
        pixels[:, :12, 3] = 0  # left half transparent: reads as black
        Image.fromarray(pixels).save(rgba / f"{t}.png")
    assert read_video(grey)[3].unique().tolist() == [pytest.approx(120 / 255)]
    frames = read_video(rgba)
    assert float(frames[:, :, :, :12].max()) == 0.0
    assert float(frames[:, :, :, 12:].min()) == pytest.approx(200 / 255)
    for name in ("grey", "rgba"):
        out = tmp_path / f"{name}_out"
        assert main(["translate", str(tmp_path / name), "--checkpoint", str(models["v2v"]),
                     "-o", str(out)]) == 0
        assert read_video(out).shape == (4, 3, 18, 24)


def _save_masks(folder: Path, masks: torch.Tensor, kind: str) -> Path:
    folder.mkdir()
    for t, mask in enumerate(masks[:, 0].numpy()):
        white = mask.astype(np.uint8) * 255
        if kind == "grey":
            image = Image.fromarray(white)
        elif kind == "onebit":
            image = Image.fromarray(mask).convert("1")
        elif kind == "rgb-jpg":
            image = Image.fromarray(np.dstack([white, white // 2, np.zeros_like(white)]))
        else:  # rgba: white where hidden; elsewhere white too, but fully transparent
            image = Image.fromarray(np.dstack([np.full_like(white, 255)] * 3 + [white]))
        image.save(folder / f"mask_{t}.{'jpg' if kind == 'rgb-jpg' else 'png'}")
    return folder


@pytest.mark.parametrize("kind", ["grey", "onebit", "rgb-jpg", "rgba", "mp4", "gif"])
def test_masks_in_every_form_read_white_as_hidden(kind: str, tmp_path: Path):
    masks = _box_masks(5, 18, 24)
    if kind in ("mp4", "gif"):
        path = write_video(tmp_path / f"masks.{kind}", masks.float())
    else:
        path = _save_masks(tmp_path / kind, masks, kind)
    assert torch.equal(read_masks(path, 5, (18, 24)), masks)
    assert torch.equal(read_masks(path, 5, (18, 24), invert=True), ~masks)


def test_inpaint_with_jpg_masks_and_inverted_masks(tmp_path: Path, models):
    video = _video(5).clone()
    masks = _box_masks(5, 18, 24)
    video[masks.expand_as(video)] = 1.0  # hidden pixels: garbage the model must replace
    write_video(tmp_path / "video", video)
    _save_masks(tmp_path / "jpg", masks, "rgb-jpg")
    inverted = tmp_path / "inverted"
    write_video(inverted, (~masks).float())  # black = hidden, with --invert-masks
    for extra in (["--masks", str(tmp_path / "jpg")],
                  ["--masks", str(inverted), "--invert-masks"]):
        out = tmp_path / f"out{len(extra)}"
        assert main(["inpaint", str(tmp_path / "video"), *extra, "--checkpoint",
                     str(models["rovr"]), "-o", str(out)]) == 0
        result, original = read_video(out), read_video(tmp_path / "video")
        hidden = masks.expand_as(result)
        assert torch.equal(result[~hidden], original[~hidden])
        assert float((result[hidden] - 1.0).abs().mean()) > 0.05  # filled, not copied
