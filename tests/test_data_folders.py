"""Loading real videos from folders: layouts, cropping, clipping, and every error."""

import pytest
import torch

from rlvid.config import load_config
from rlvid.data import load_video_folder, mask_videos, write_video
from rlvid.data.folders import VideoFolderError
from rlvid.data.io import VideoIOError


def gradient_video(frames: int, h: int, w: int) -> torch.Tensor:
    t = torch.arange(frames).float()[:, None, None, None] / frames
    y = torch.linspace(0, 1, h)[None, None, :, None]
    x = torch.linspace(0, 1, w)[None, None, None, :]
    return torch.cat([t + 0 * x * y, y.expand(frames, 1, h, w), x.expand(frames, 1, h, w)], 1)


def test_clip_folders_are_cropped_resized_and_cut(tmp_path):
    write_video(tmp_path / "clip_a", gradient_video(7, 24, 40))  # PNG frames
    write_video(tmp_path / "clip_b", gradient_video(3, 16, 16))
    clips = load_video_folder(tmp_path, size=16, T=3)
    # clip_a: 7 frames -> 2 clips of 3; clip_b: one clip
    assert clips.shape == (3, 3, 3, 16, 16) and clips.dtype == torch.float32
    # centre crop of a 40-wide frame keeps columns 8..31 of the x gradient
    x = clips[0, 0, 2].mean(0)
    assert x[0] > 8 / 39 - 0.05 and x[-1] < 31 / 39 + 0.05
    # consecutive clips hold consecutive frames
    assert torch.allclose(clips[1, 0, 0], torch.full((16, 16), 3 / 7), atol=2 / 255)


def test_mp4_files(tmp_path):
    write_video(tmp_path / "a.mp4", gradient_video(8, 32, 32))
    clips = load_video_folder(tmp_path, size=16, T=4)
    assert clips.shape == (2, 4, 3, 16, 16)
    masked = mask_videos(load_video_folder(tmp_path, 16, 4).repeat(1, 5, 1, 1, 1)[:, :20],
                         load_config("smoke").data)
    assert masked.masks.shape == (2, 20, 1, 16, 16)


def test_frames_directly_in_the_folder(tmp_path):
    write_video(tmp_path / "only", gradient_video(4, 16, 16))
    assert load_video_folder(tmp_path / "only", 8, 4).shape == (1, 4, 3, 8, 8)


def test_missing_folder(tmp_path):
    with pytest.raises(VideoFolderError, match="nope: no such folder"):
        load_video_folder(tmp_path / "nope", 16, 4)


def test_no_videos(tmp_path):
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(VideoFolderError, match="no videos"):
        load_video_folder(tmp_path, 16, 4)


def test_clip_shorter_than_T_names_the_file(tmp_path):
    write_video(tmp_path / "long", gradient_video(6, 16, 16))
    write_video(tmp_path / "short", gradient_video(2, 16, 16))
    with pytest.raises(VideoFolderError, match=r"short: clip has 2 frames, shorter than T=4"):
        load_video_folder(tmp_path, 16, 4)
    skipped = []
    with pytest.warns(UserWarning, match="short"):
        clips = load_video_folder(tmp_path, 16, 4, skip_bad=True, skipped=skipped)
    assert clips.shape[0] == 1 and [s[0].endswith("short") for s in skipped] == [True]


def test_unreadable_file_names_the_file(tmp_path):
    write_video(tmp_path / "good.mp4", gradient_video(4, 16, 16))
    (tmp_path / "broken.mp4").write_bytes(b"not a video at all")
    with pytest.raises(VideoIOError, match="broken.mp4"):
        load_video_folder(tmp_path, 16, 4)
    skipped = []
    with pytest.warns(UserWarning, match="broken.mp4"):
        clips = load_video_folder(tmp_path, 16, 4, skip_bad=True, skipped=skipped)
    assert clips.shape == (1, 4, 3, 16, 16) and "broken.mp4" in skipped[0][0]


def test_all_bad_is_an_error_even_when_skipping(tmp_path):
    (tmp_path / "broken.mp4").write_bytes(b"junk")
    with pytest.warns(UserWarning), pytest.raises(VideoFolderError, match="no usable videos"):
        load_video_folder(tmp_path, 16, 4, skip_bad=True)
