"""Round trips and error cases for rlvid.data.io."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest
import torch

import rlvid.data.io as io_module
from rlvid.data.io import VideoIOError, read_video, write_video
from rlvid.errors import RlvidError
from rlvid.metrics.demo import demo_video


@pytest.fixture(scope="module")
def video() -> torch.Tensor:
    return demo_video(32, 5, seed=0)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


def test_frames_folder_round_trip_is_exact(tmp_path, video):
    path = write_video(tmp_path / "clip", video)
    back = read_video(path)
    assert back.shape == video.shape and back.dtype == torch.float32
    assert torch.equal(back, (video * 255).round() / 255)
    assert leftovers(tmp_path) == ["clip"]
    write_video(tmp_path / "clip", video[:2])  # replacing an existing folder
    assert read_video(tmp_path / "clip").shape[0] == 2
    assert leftovers(tmp_path) == ["clip"]


def test_mp4_round_trip(tmp_path, video):
    path = write_video(tmp_path / "clip.mp4", video, fps=8)
    back = read_video(path)
    assert back.shape == video.shape
    # lossy: H.264 keeps luma well; yuv420p halves the chroma resolution
    luma = torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)
    assert float(((back - video) * luma).sum(1).abs().mean()) < 0.01
    assert float((back - video).abs().mean()) < 0.06
    assert leftovers(tmp_path) == ["clip.mp4"]


def test_mp4_odd_size_keeps_its_size(tmp_path):
    odd = demo_video(33, 2, seed=0)[..., :31]
    path = write_video(tmp_path / "odd.mp4", odd)  # yuv444p: no padding needed
    back = read_video(path)
    assert back.shape == (2, 3, 33, 31)
    assert float((back - odd).abs().mean()) < 0.03


def test_gif_round_trip(tmp_path, video):
    path = write_video(tmp_path / "clip.gif", video, fps=4)
    back = read_video(path)
    assert back.shape == video.shape
    assert float((back - video).abs().mean()) < 0.03  # 256-colour palette
    assert leftovers(tmp_path) == ["clip.gif"]


def test_natural_frame_order(tmp_path):
    for t in (10, 2, 1):
        iio.imwrite(tmp_path / f"f{t}.png", np.full((4, 4, 3), t * 20, np.uint8))
    back = read_video(tmp_path)
    assert (back[:, 0, 0, 0] * 255).round().tolist() == [20.0, 40.0, 200.0]


def test_missing_path(tmp_path):
    with pytest.raises(VideoIOError, match="no such file") as info:
        read_video(tmp_path / "nope.mp4")
    assert isinstance(info.value, RlvidError)
    assert "nope.mp4" in str(info.value) and "\n" not in str(info.value)


def test_empty_folder(tmp_path):
    (tmp_path / "notes.txt").write_text("not a frame")
    with pytest.raises(VideoIOError, match="no PNG/JPG frames"):
        read_video(tmp_path)


@pytest.mark.parametrize("name", ["broken.mp4", "broken.gif"])
def test_corrupt_file(tmp_path, name):
    (tmp_path / name).write_bytes(b"\x00\x01 this is not a video" * 10)
    with pytest.raises(VideoIOError, match="cannot read video") as info:
        read_video(tmp_path / name)
    assert name in str(info.value) and "\n" not in str(info.value)


def test_corrupt_frame(tmp_path):
    iio.imwrite(tmp_path / "0.png", np.zeros((4, 4, 3), np.uint8))
    (tmp_path / "1.png").write_bytes(b"garbage")
    with pytest.raises(VideoIOError, match=r"1\.png: cannot read image"):
        read_video(tmp_path)


def test_grey_one_bit_palette_and_rgba_frames_are_read_as_rgb(tmp_path):
    from PIL import Image

    grey = np.array([[0, 51], [102, 255]], np.uint8)
    cases = {
        "grey": Image.fromarray(grey),
        "onebit": Image.fromarray(grey > 100),
        "grey16": Image.fromarray(grey.astype(np.uint16) * 257),
        "palette": Image.fromarray(np.dstack([grey] * 3)).convert("P"),
        "greyalpha": Image.fromarray(np.dstack([grey, np.full_like(grey, 255)])),
    }
    for name, image in cases.items():
        image.save(tmp_path / f"{name}.png")
    expected = torch.from_numpy(grey / 255.0).float()
    for name in ("grey", "grey16", "palette", "greyalpha"):
        back = read_video(_folder(tmp_path, name))
        assert back.shape == (1, 3, 2, 2), name
        for c in range(3):  # grey replicated to every channel
            assert torch.allclose(back[0, c], expected, atol=1 / 255), name
    onebit = read_video(_folder(tmp_path, "onebit"))
    assert onebit[0, 0].tolist() == [[0.0, 0.0], [1.0, 1.0]]
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, [[255, 0], [51, 255]]
    Image.fromarray(rgba).save(tmp_path / "rgba.png")
    back = read_video(_folder(tmp_path, "rgba"))  # alpha composited over black
    assert (back[0, 0] * 255).round().tolist() == [[200.0, 0.0], [40.0, 200.0]]
    assert float(back[0, 1:].abs().max()) == 0.0


def _folder(tmp_path, name):
    """A one-frame folder holding ``name``.png."""
    folder = tmp_path / f"{name}_dir"
    folder.mkdir()
    (tmp_path / f"{name}.png").rename(folder / "0.png")
    return folder


def test_mixed_sizes(tmp_path):
    iio.imwrite(tmp_path / "0.png", np.zeros((4, 4, 3), np.uint8))
    iio.imwrite(tmp_path / "1.png", np.zeros((4, 6, 3), np.uint8))
    with pytest.raises(VideoIOError, match=r"1\.png: frame size 6x4 differs from 4x4"):
        read_video(tmp_path)


def test_unsupported_suffix(tmp_path, video):
    (tmp_path / "clip.txt").write_text("x")
    with pytest.raises(VideoIOError, match="unsupported video type"):
        read_video(tmp_path / "clip.txt")
    with pytest.raises(VideoIOError, match="cannot write '.txt'"):
        write_video(tmp_path / "clip.txt", video)


@pytest.mark.parametrize("name", ["clip.mp4", "clip.gif", "clip"])
def test_failed_write_leaves_no_partial_file(tmp_path, video, monkeypatch, name):
    write_video(tmp_path / name, video)
    before = read_video(tmp_path / name)

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(io_module, "_write_ffmpeg", explode)
    monkeypatch.setattr(io_module, "_write_gif", explode)
    monkeypatch.setattr(iio, "imwrite", explode)
    with pytest.raises(VideoIOError, match="disk full"):
        write_video(tmp_path / name, video[:2])
    assert leftovers(tmp_path) == [name]  # no temporary file left behind
    monkeypatch.undo()
    assert torch.equal(read_video(tmp_path / name), before)  # the old video is intact


def test_failed_first_write_leaves_nothing(tmp_path, video, monkeypatch):
    def half_write_then_fail(tmp, frames, fps, suffix):
        tmp.write_bytes(b"half a video")
        raise RuntimeError("killed")

    monkeypatch.setattr(io_module, "_write_ffmpeg", half_write_then_fail)
    with pytest.raises(VideoIOError, match="killed"):
        write_video(tmp_path / "new.mp4", video)
    assert leftovers(tmp_path) == []
