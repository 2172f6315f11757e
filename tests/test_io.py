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


def test_mp4_odd_size_is_padded_with_a_warning(tmp_path):
    odd = demo_video(33, 2, seed=0)[..., :31]
    with pytest.warns(UserWarning, match="padded 31x33 to 32x34"):
        path = write_video(tmp_path / "odd.mp4", odd)
    assert read_video(path).shape == (2, 3, 34, 32)


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


def test_grey_and_rgba_frames(tmp_path):
    grey = tmp_path / "grey"
    grey.mkdir()
    iio.imwrite(grey / "0.png", np.zeros((4, 4), np.uint8))
    with pytest.raises(VideoIOError, match=r"0\.png: greyscale image where RGB is needed"):
        read_video(grey)
    rgba = tmp_path / "rgba"
    rgba.mkdir()
    image = np.zeros((4, 4, 4), np.uint8)
    image[..., 3] = 128
    iio.imwrite(rgba / "0.png", image)
    with pytest.raises(VideoIOError, match="RGBA image with transparency"):
        read_video(rgba)
    image[..., 3] = 255  # opaque RGBA is RGB in disguise
    image[..., 0] = 51
    iio.imwrite(rgba / "0.png", image)
    back = read_video(rgba)
    assert back.shape == (1, 3, 4, 4) and float(back[0, 0, 0, 0]) == pytest.approx(0.2)


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

    monkeypatch.setattr(io_module, "_write_mp4", explode)
    monkeypatch.setattr(io_module, "_write_gif", explode)
    monkeypatch.setattr(iio, "imwrite", explode)
    with pytest.raises(VideoIOError, match="disk full"):
        write_video(tmp_path / name, video[:2])
    assert leftovers(tmp_path) == [name]  # no temporary file left behind
    monkeypatch.undo()
    assert torch.equal(read_video(tmp_path / name), before)  # the old video is intact


def test_failed_first_write_leaves_nothing(tmp_path, video, monkeypatch):
    def half_write_then_fail(tmp, frames, fps):
        tmp.write_bytes(b"half a video")
        raise RuntimeError("killed")

    monkeypatch.setattr(io_module, "_write_mp4", half_write_then_fail)
    with pytest.raises(VideoIOError, match="killed"):
        write_video(tmp_path / "new.mp4", video)
    assert leftovers(tmp_path) == []
