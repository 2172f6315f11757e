"""``rlvid data make`` / ``rlvid data show``: same seed, same arrays; errors exit 2."""

import imageio.v3 as iio
import numpy as np
import pytest
import torch

from rlvid.cli import main
from rlvid.data import write_video
from rlvid.data.masked import textured_videos


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("RLVID_CACHE", str(tmp_path / "cache"))


def test_make_twice_gives_identical_arrays(tmp_path, capsys):
    for run in ("a", "b"):
        assert main(["data", "make", "synthetic", "--profile", "smoke", "--out",
                     str(tmp_path / run), "--seed", "3"]) == 0
    a = np.load(tmp_path / "a" / "synthetic_smoke_seed3.npz")
    b = np.load(tmp_path / "b" / "synthetic_smoke_seed3.npz")
    assert sorted(a.files) == sorted(b.files) and "x_test_twin" in a.files
    for key in a.files:
        np.testing.assert_array_equal(a[key], b[key])
    assert "x_test_twin" in capsys.readouterr().out


def test_make_masked_from_folder_and_show(tmp_path, capsys):
    videos = textured_videos(np.random.default_rng(0), 1, 20, 32)
    write_video(tmp_path / "videos" / "clip0", torch.from_numpy(videos[0]))
    (tmp_path / "videos" / "bad.mp4").write_bytes(b"junk")
    args = ["data", "make", "masked", "--profile", "smoke", "--from-folder",
            str(tmp_path / "videos"), "--out", str(tmp_path / "out")]
    assert main(args) == 2  # the bad file stops it, named
    assert "bad.mp4" in capsys.readouterr().err
    with pytest.warns(UserWarning):
        assert main(args + ["--skip-bad"]) == 0
    out = capsys.readouterr().out
    assert "skipped" in out and "bad.mp4" in out
    stored = np.load(tmp_path / "out" / "masked-folder_smoke_seed0.npz")
    assert stored["masks"].shape == (1, 20, 1, 32, 32)

    png = tmp_path / "show.png"
    assert main(["data", "show", "masked", "--profile", "smoke", "--out", str(png)]) == 0
    image = iio.imread(png)
    assert image.ndim == 3 and image.shape[0] >= 128
    assert "valid pairs per target" in capsys.readouterr().out
