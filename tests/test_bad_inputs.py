"""A battery of bad inputs: each is refused with one line, exit code 2, and nothing written.

Every case runs ``rlvid.cli.main`` in-process (a few also as a real subprocess) against one
folder of inputs, and checks: exactly one stderr line, starting ``rlvid: error:``; no
traceback; the expected words; and the folder (inputs, outputs, run and cache folders)
byte-for-byte as it was. Checkpoints are tiny untrained models (``_tiny_models``).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import pytest
import torch
from _tiny_models import rovr_local, v2v_translator
from PIL import Image

from rlvid.cli import main
from rlvid.data.io import write_video
from rlvid.metrics.demo import demo_video
from rlvid.runtime import save_checkpoint


def _png(path: Path, height: int, width: int, value: int = 255) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((height, width), value, np.uint8)).save(path)


def _masks(folder: Path, count: int, sizes: dict[int, tuple[int, int]] | None = None) -> None:
    for t in range(count):
        h, w = (sizes or {}).get(t, (18, 24))
        _png(folder / f"m{t:02d}.png", h, w, value=255 * (t % 2))


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    w = tmp_path_factory.mktemp("world")
    video = demo_video(24, 5, seed=0)[..., :18, :]  # 5 frames of 24x18
    write_video(w / "clip", video)
    write_video(w / "good.mp4", video, fps=10)
    write_video(w / "one_frame", video[:1])
    (w / "corrupt.mp4").write_bytes(os.urandom(2048))
    (w / "empty.mp4").write_bytes(b"")
    (w / "notes.mp4").write_text("this is a text file, not a video\n")
    (w / "notes.gif").write_text("GIF? no, text\n")
    (w / "clip.txt").write_text("text\n")
    (w / "afile.txt").write_text("a file, not a folder\n")
    (w / "empty_dir").mkdir()
    _png(w / "mixed" / "0.png", 18, 24)
    _png(w / "mixed" / "1.png", 20, 24)
    _png(w / "badframe" / "0.png", 18, 24)
    (w / "badframe" / "1.png").write_bytes(b"\x89PNG garbage")
    _masks(w / "masks", 5)
    _masks(w / "masks_short", 3)
    _masks(w / "masks_long", 7)
    _masks(w / "masks_small", 5, {t: (9, 12) for t in range(5)})
    _masks(w / "masks_mixed", 5, {2: (18, 23)})
    (w / "masks_empty").mkdir()
    (w / "masks_corrupt.mp4").write_bytes(os.urandom(1024))
    (w / "foreign_out").mkdir()
    (w / "foreign_out" / "notes.txt").write_text("keep me\n")
    write_video(w / "shortclips" / "c0", demo_video(32, 5, seed=1))  # < T = 20 frames
    v2v_translator(w / "model.pt")
    rovr_local(w / "local.pt")
    save_checkpoint(w / "trainer.pt", {"trainer": {}, "method": "rlv2v", "step": 2})
    torch.save([1, 2, 3], w / "list.pt")
    data = (w / "model.pt").read_bytes()
    (w / "truncated.pt").write_bytes(data[: len(data) // 2])
    (w / "empty.pt").write_bytes(b"")
    (w / "text.pt").write_text("not a checkpoint\n")
    (w / "evalrun").mkdir()
    (w / "evalrun" / "model.pt").write_bytes(data[:100])
    (w / "link.mp4").symlink_to(w / "good.mp4")
    return w


def _locked(world: Path) -> Path:
    """A folder nobody can write in: chmod 555, or /sys where root ignores permissions."""
    locked = world / "locked"
    if not locked.exists():
        locked.mkdir()
        locked.chmod(0o555)
    for place in (locked, Path("/sys")):
        try:
            with tempfile.TemporaryFile(dir=place):
                pass
        except OSError:
            return place
    pytest.skip("no unwritable folder here (root, and /sys is writable)")


TR = ["translate", "{w}/good.mp4", "--checkpoint", "{w}/model.pt"]
IN = ["inpaint", "{w}/clip", "--masks", "{w}/masks", "--checkpoint", "{w}/local.pt"]
V2V = ["train", "v2v", "--profile", "smoke", "--run-dir", "{w}/runs/v2v"]
ROVR = ["train", "rovr", "--stage", "local", "--profile", "smoke", "--run-dir", "{w}/runs/r"]
RUN = ["run", "13_your_videos", "--profile", "smoke", "--build-dir", "{w}/build"]

CASES = [  # (id, argv, words the one error line must hold)
    # videos that are not videos
    ("corrupt-mp4", ["translate", "{w}/corrupt.mp4", "--checkpoint", "{w}/model.pt",
                     "-o", "{w}/o.mp4"], "corrupt.mp4: cannot read video"),
    ("empty-mp4", ["translate", "{w}/empty.mp4", "--checkpoint", "{w}/model.pt",
                   "-o", "{w}/o.mp4"], "empty.mp4: cannot read video"),
    ("text-as-mp4", ["translate", "{w}/notes.mp4", "--checkpoint", "{w}/model.pt",
                     "-o", "{w}/o.mp4"], "notes.mp4: cannot read video"),
    ("text-as-gif", ["inpaint", "{w}/notes.gif", "--auto-masks", "--checkpoint",
                     "{w}/local.pt", "-o", "{w}/o.mp4"], "notes.gif: cannot read video"),
    ("unknown-suffix", ["translate", "{w}/clip.txt", "--checkpoint", "{w}/model.pt",
                        "-o", "{w}/o.mp4"], "unsupported video type '.txt'"),
    ("missing-video", ["translate", "{w}/nope.mp4", "--checkpoint", "{w}/model.pt",
                       "-o", "{w}/o.mp4"], "nope.mp4: no such file or folder"),
    ("empty-folder", ["translate", "{w}/empty_dir", "--checkpoint", "{w}/model.pt",
                      "-o", "{w}/o.mp4"], "folder holds no PNG/JPG frames"),
    ("mixed-sizes", ["translate", "{w}/mixed", "--checkpoint", "{w}/model.pt",
                     "-o", "{w}/o.mp4"], "1.png: frame size 24x20 differs from 24x18"),
    ("corrupt-frame", ["translate", "{w}/badframe", "--checkpoint", "{w}/model.pt",
                       "-o", "{w}/o.mp4"], "1.png: cannot read image"),
    ("one-frame", ["inpaint", "{w}/one_frame", "--auto-masks", "--checkpoint",
                   "{w}/local.pt", "-o", "{w}/o.mp4"], "1 frame(s); ROVR needs at least 3"),
    # outputs that would destroy an input, or cannot be written
    ("out-is-input", [*TR, "-o", "{w}/good.mp4"], "would overwrite the input"),
    ("out-is-input-symlink", [*TR, "-o", "{w}/link.mp4"], "would overwrite the input"),
    ("out-is-input-dotdot", [*TR, "-o", "{w}/empty_dir/../good.mp4"],
     "would overwrite the input"),
    ("out-is-input-folder", ["translate", "{w}/clip", "--checkpoint", "{w}/model.pt",
                             "-o", "{w}/clip"], "would overwrite the input"),
    ("out-holds-input", [*TR, "-o", "{w}"], "would overwrite the input"),
    ("out-is-checkpoint", [*TR, "-o", "{w}/model.pt"], "cannot write '.pt'"),
    ("out-is-masks", [*IN, "-o", "{w}/masks"], "would overwrite the input"),
    ("out-folder-foreign", [*TR, "-o", "{w}/foreign_out"], "holds notes.txt"),
    ("out-suffix", [*TR, "-o", "{w}/o.txt"], "cannot write '.txt'"),
    ("out-below-file", [*TR, "-o", "{w}/afile.txt/o.mp4"],
     "o.mp4: cannot write there, {w}/afile.txt is a file"),
    ("out-unwritable", [*TR, "-o", "{locked}/o.mp4"], "o.mp4: cannot write in {locked}"),
    # frame rates
    ("fps-zero", [*TR, "-o", "{w}/o.mp4", "--fps", "0"], "must be a positive number"),
    ("fps-negative", [*TR, "-o", "{w}/o.mp4", "--fps", "-5"], "must be a positive number"),
    ("fps-nan", [*IN, "-o", "{w}/o.mp4", "--fps", "nan"], "must be a positive number"),
    ("fps-inf", [*TR, "-o", "{w}/o.mp4", "--fps", "inf"], "must be a positive number"),
    ("fps-text", [*TR, "-o", "{w}/o.mp4", "--fps", "fast"], "must be a positive number"),
    # masks
    ("masks-too-few", [*IN[:3], "{w}/masks_short", *IN[4:], "-o", "{w}/o.mp4"],
     "masks_short: 3 masks do not match the 5 frames"),
    ("masks-too-many", [*IN[:3], "{w}/masks_long", *IN[4:], "-o", "{w}/o.mp4"],
     "m05.png (the first extra mask): 7 masks do not match the 5 frames"),
    ("masks-wrong-size", [*IN[:3], "{w}/masks_small", *IN[4:], "-o", "{w}/o.mp4"],
     "m00.png: mask size 12x9 differs from the video's 24x18"),
    ("masks-mixed-sizes", [*IN[:3], "{w}/masks_mixed", *IN[4:], "-o", "{w}/o.mp4"],
     "m02.png: mask size 23x18 differs"),
    ("masks-empty-folder", [*IN[:3], "{w}/masks_empty", *IN[4:], "-o", "{w}/o.mp4"],
     "masks_empty: folder holds no PNG/JPG frames"),
    ("masks-corrupt-video", [*IN[:3], "{w}/masks_corrupt.mp4", *IN[4:], "-o", "{w}/o.mp4"],
     "masks_corrupt.mp4: cannot read video"),
    ("masks-missing", [*IN[:3], "{w}/no_masks", *IN[4:], "-o", "{w}/o.mp4"],
     "no_masks: no such file or folder"),
    ("invert-without-masks", ["inpaint", "{w}/clip", "--auto-masks", "--invert-masks",
                              "--checkpoint", "{w}/local.pt", "-o", "{w}/o.mp4"],
     "--invert-masks needs --masks"),
    # checkpoints: missing, truncated, foreign
    ("ckpt-missing", [*TR[:3], "{w}/none.pt", "-o", "{w}/o.mp4"], "none.pt: no such checkpoint"),
    ("ckpt-truncated", [*TR[:3], "{w}/truncated.pt", "-o", "{w}/o.mp4"],
     "truncated.pt: not a readable checkpoint"),
    ("ckpt-empty", [*IN[:5], "{w}/empty.pt", "-o", "{w}/o.mp4"],
     "empty.pt: not a readable checkpoint"),
    ("ckpt-text", [*TR[:3], "{w}/text.pt", "-o", "{w}/o.mp4"],
     "text.pt: not a readable checkpoint"),
    ("ckpt-not-a-dict", [*TR[:3], "{w}/list.pt", "-o", "{w}/o.mp4"],
     "list.pt: not an rlvid checkpoint"),
    ("ckpt-rovr-to-translate", [*TR[:3], "{w}/local.pt", "-o", "{w}/o.mp4"],
     "a ROVR local checkpoint, not a v2v translator"),
    ("ckpt-trainer-to-translate", [*TR[:3], "{w}/trainer.pt", "-o", "{w}/o.mp4"],
     "a v2v training checkpoint (rlv2v), not a v2v translator"),
    ("ckpt-v2v-to-inpaint", [*IN[:5], "{w}/model.pt", "-o", "{w}/o.mp4"],
     "a v2v translator (rlv2v, profile smoke) holds no ROVR local network"),
    ("eval-truncated-model", ["eval", "{w}/evalrun"], "model.pt: not a readable checkpoint"),
    # parameters: wrong type, NaN, negative, zero, unknown
    ("lr-negative", [*V2V, "-p", "v2v.lr", "-1"], "'v2v.lr' must be > 0, got -1.0"),
    ("lr-nan", [*V2V, "-p", "v2v.lr", "nan"], "'v2v.lr' must be finite, got nan"),
    ("lr-inf", [*V2V, "-p", "v2v.lr", "inf"], "'v2v.lr' must be finite, got inf"),
    ("lr-zero", [*V2V, "-p", "v2v.lr", "0"], "'v2v.lr' must be > 0, got 0.0"),
    ("lr-text", [*V2V, "-p", "v2v.lr", "fast"], "'v2v.lr' must be float, got str 'fast'"),
    ("batch-zero", [*V2V, "-p", "v2v.batch_size", "0"], "'v2v.batch_size' must be >= 1"),
    ("batch-float", [*V2V, "-p", "v2v.batch_size", "2.5"], "'v2v.batch_size' must be int"),
    ("pretrain-negative", [*V2V, "-p", "v2v.pretrain_iterations", "-5"],
     "'v2v.pretrain_iterations' must be >= 1, got -5"),
    ("eps-over-one", [*V2V, "-p", "v2v.eps1", "1.5"], "'v2v.eps1' must be >= 0 and <= 1"),
    ("size-unpoolable", [*V2V, "-p", "data.size", "20"], "'data.size' must be a multiple of 8"),
    ("unknown-parameter", [*V2V, "-p", "v2v.learning_rate", "1"],
     "unknown parameter 'v2v.learning_rate'"),
    ("temperature-zero", [*ROVR, "-p", "rovr.gumbel_temperature", "0"],
     "'rovr.gumbel_temperature' must be > 0, got 0.0"),
    ("clip-negative", [*ROVR, "-p", "rovr.ppg.clip", "-0.5"],
     "'rovr.ppg.clip' must be > 0, got -0.5"),
    ("seeds-negative", [*ROVR, "-p", "seeds", "[-1]"], "'seeds' items must be >= 0"),
    ("unknown-profile", ["train", "v2v", "--profile", "bogus", "--run-dir", "{w}/runs/b"],
     "profile 'bogus' is unknown"),
    ("seed-negative", [*V2V, "--seed", "-1"], "--seed: must be an integer >= 0, got '-1'"),
    ("max-steps-zero", [*V2V, "--max-steps", "0"], "--max-steps: must be an integer >= 1"),
    ("unknown-option", [*V2V, "--learning-rate", "1"], "unrecognized arguments"),
    # run directories
    ("run-dir-below-file", [*V2V[:-1], "{w}/afile.txt/run"],
     "run: cannot write there, {w}/afile.txt is a file"),
    ("run-dir-is-file", [*ROVR[:-1], "{w}/afile.txt"], "afile.txt is a file, not a folder"),
    ("run-dir-unwritable", [*ROVR[:-1], "{locked}/run"], "run: cannot write in {locked}"),
    # datasets from folders
    ("clip-shorter-than-T", ["data", "make", "masked", "--profile", "smoke", "--from-folder",
                             "{w}/shortclips", "--out", "{w}/dataout"],
     "c0: clip has 5 frames, shorter than T=20"),
    ("dataset-empty-folder", ["data", "make", "masked", "--profile", "smoke", "--from-folder",
                              "{w}/empty_dir", "--out", "{w}/dataout"], "empty_dir: no videos"),
    ("data-seed-negative", ["data", "make", "synthetic", "--profile", "smoke", "--seed", "-1"],
     "--seed: must be an integer >= 0"),
    ("data-out-below-file", ["data", "make", "synthetic", "--profile", "smoke", "--out",
                             "{w}/afile.txt/sets"], "cannot write there, {w}/afile.txt is a file"),
    ("data-show-out-not-png", ["data", "show", "masked", "--profile", "smoke", "--out",
                               "{w}/afile.txt"], "afile.txt: --out must be a .png file name"),
    ("data-show-out-unwritable", ["data", "show", "masked", "--profile", "smoke", "--out",
                                  "{locked}/sample.png"], "sample.png: cannot write in"),
    # notebook parameters (checked by rlvid.book.notebooks.check_parameters before the kernel)
    ("nb-unknown-parameter", [*RUN, "-p", "learning_rate", "1"],
     "13_your_videos has no parameter 'learning_rate'"),
    ("nb-wrong-type", [*RUN, "-p", "test_share", "half"],
     "parameter 'test_share' must be float"),
    ("nb-unknown-profile", ["run", "13_your_videos", "--profile", "bogus", "--build-dir",
                            "{w}/build"], "profile 'bogus' is unknown"),
    ("nb-unknown-notebook", ["run", "99_nothing", "--build-dir", "{w}/build"],
     "no notebook '99_nothing'"),
]
SUBPROCESS = {"corrupt-mp4", "out-is-input", "lr-nan", "fps-zero"}


def _snapshot(root: Path) -> dict[str, str]:
    """Every path under ``root`` with a hash of each file's bytes."""
    out = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink() or path.is_dir():
            out[key] = "link" if path.is_symlink() else "dir"
        else:
            out[key] = hashlib.sha1(path.read_bytes()).hexdigest()
    return out


def test_the_battery_is_large_and_distinct() -> None:
    assert len(CASES) >= 40
    assert len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_in_one_line_and_writes_nothing(
    case: tuple[str, list[str], str], world: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    name, template, words = case
    locked = _locked(world) if any("{locked}" in a for a in template) else world
    argv = [a.format(w=world, locked=locked) for a in template]
    env = {"RLVID_RUNS": str(world / "runs"), "RLVID_CACHE": str(world / "cache")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    before = _snapshot(world)
    if name in SUBPROCESS:  # the real thing: a process, its real stderr
        done = subprocess.run([sys.executable, "-m", "rlvid.cli", *argv], capture_output=True,
                              text=True, env={**os.environ, **env}, timeout=120)
        code, err = done.returncode, done.stderr
    else:
        code, err = main(argv), capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1 and lines[0].startswith("rlvid: error:"), err
    assert "Traceback" not in err
    assert words.format(w=world, locked=locked) in lines[0], lines[0]
    assert _snapshot(world) == before  # no output, no run directory, inputs unchanged
