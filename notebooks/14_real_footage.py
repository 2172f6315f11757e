# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Your own footage, on real photographs
#
# Every other page runs on procedural data. This one runs the two command-line tools a
# user would run on their own footage, `rlvid translate` (RL-V2V-GAN) and `rlvid inpaint`
# (ROVR), on a video made from a **real photograph**, end to end: an mp4 file in, an mp4
# or a folder of frames out.
#
# Nothing is downloaded. scikit-image's wheel carries a handful of colour photographs in its
# own folder (the astronaut Eileen Collins, Chelsea the cat, a cup of coffee, a rocket on
# its pad, ...); `rlvid.data.photos` reads them from there and never calls the scikit-image
# loaders that fetch other images from the internet. A slow camera pan over the photograph
# makes the video: a window the size of a frame slides across the picture by a fraction of
# a pixel per frame.
#
# What can be measured differs between the two tools:
#
# - **Translation** has no right answer on real footage (no photograph has a "night-time
#   twin"). The page shows input and output and reports the measures that need no twin.
# - **Inpainting** does: we hide the pixels ourselves (boxes drifting across the frame), so
#   the true values are known. ROVR's fill is scored on the hidden pixels only and set beside
#   four fills that need no training: copy-nearest-visible, OpenCV's Telea, a mean fill and the input left unfilled.
#
# Both models are trained by the command line at this page's profile on the kit's
# procedural data (city aerials for the translator, ROVR's masked textures for the
# inpainter): neither has ever seen a photograph. That is the point of the page: it shows
# what the models do on footage unlike their training data, and where they lose.

# %% tags=["parameters"]
profile: str = "cpu"  # smoke | cpu | paper
photo: str = "chelsea"  # astronaut | chelsea | coffee | rocket | motorcycle | hubble_deep_field
frames: int = 24  # length of the pan video (any length: the CLI handles it)
height: int = 64  # frame height of the pan video, pixels (the CLI resizes in and out)
width: int = 96  # frame width, pixels
speed: float = 0.75  # camera step, frame pixels per frame (slow)
view: float = 0.6  # share of the photograph's height one frame shows
fps: int = 8  # frames per second of the mp4
boxes: int = 2  # drifting boxes hidden in every frame
box: float = 0.25  # box side, as a share of the frame's shorter side
seed: int = 0  # training seed of both models and seed of the box layout
v2v_dataset: str = "city"  # the translator's training data: synthetic | flowers | city

# %% tags=["hide-input"]
import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F

from rlvid.book.display import show_table
from rlvid.book.html_blocks import show_list
from rlvid.book.pages.footage import inpaint_rows as inpaint_rows_of
from rlvid.book.pages.footage import (
    inpaint_table,
    translation_rows,
    translation_sentences,
    translation_table,
)
from rlvid.book.viz import frame_grid, show_video
from rlvid.config import load_config
from rlvid.data.inpaint_baselines import comparison_sentences, hidden_scores, reference_fills
from rlvid.data.io import read_video, write_video
from rlvid.data.photos import load_photo, moving_boxes, packaged_photos, pan_video, write_masks
from rlvid.metrics import metric_backends
from rlvid.paths import project_root
from rlvid.results import results_dir, write_table
from rlvid.rovr.runs import stage_dir
from rlvid.v2v.train import load_translator

cfg = load_config(profile)
if cfg.torch_threads:
    torch.set_num_threads(cfg.torch_threads)
work = results_dir(cfg.profile).parent / "real_footage"
work.mkdir(parents=True, exist_ok=True)
print(f"profile {cfg.profile}; photographs in this scikit-image install: "
      f"{', '.join(packaged_photos())}")

# %% [markdown]
# ## The footage
#
# The photograph is resized (area averaging) so that one frame covers `view` of its height,
# and the frame window pans across it by `speed` pixels per frame, sampled bilinearly. The
# video is written to an mp4 file (H.264) and read back: what the command line reads is
# the decoded mp4, so the pictures below, and the ground truth of the inpainting scores,
# are the decoded frames too.

# %%
picture = load_photo(photo)
clean = pan_video(picture, frames, (height, width), speed, view=view)
video_path = write_video(work / "pan.mp4", clean, fps=fps)
video = read_video(video_path)
print(f"{photo}: photograph {picture.shape[1]}x{picture.shape[0]} px; video {video_path.name}: "
      f"{video.shape[0]} frames of {video.shape[3]}x{video.shape[2]} at {fps} fps, panning "
      f"{speed:g} px/frame ({speed * (frames - 1):.0f} px in all)")
print(f"mp4 round trip: mean absolute change {float((video - clean).abs().mean()):.4f}")
frame_grid({"pan": video}, max_frames=6, inches=1.4)
plt.show()

# %% [markdown]
# The masks: `boxes` squares per frame, each drifting in its own direction and bouncing off
# the edges, written as greyscale PNGs (white = hidden), one per frame, the form
# `rlvid inpaint --masks` reads.

# %%
masks = moving_boxes(frames, (height, width), boxes=boxes, box=box, speed=1.0, seed=seed)
mask_dir = write_masks(work / "masks", masks)
print(f"{len(list(mask_dir.glob('*.png')))} greyscale masks in {mask_dir.name}/; "
      f"{float(masks.float().mean()):.1%} of the pixels hidden")
frame_grid({"masked": video.masked_fill(masks, 0.0)}, max_frames=6, inches=1.4)
plt.show()

# %% [markdown]
# ## Training, from the command line
#
# Both trainers resume from their run directory, so a second run of this page retrains
# nothing. The translator is RL-V2V-GAN (pretraining, then Algorithm 1) trained on the
# procedural city aerials (day to night) at this profile. The inpainter is ROVR's full
# pipeline (local network, imitation warm start, PPG with the flow reward) in the same run
# directory that the ablation page uses for its flow-reward, warm-start run, so the book
# trains it once.

# %% tags=["hide-input"]
ROOT = project_root()
ENTRY = Path(sys.executable).with_name("rlvid")  # the console script pip installed
RLVID = [str(ENTRY)] if ENTRY.exists() else [sys.executable, "-c",
                                             "import sys; from rlvid.cli import main; sys.exit(main())"]


def rlvid(*args: object) -> float:
    """Run ``rlvid ARGS`` in the project folder, as a user would; print the command and its
    last output line; return the wall-clock seconds. A failing command stops the page."""
    words = [os.path.relpath(a, ROOT) if isinstance(a, Path) else str(a) for a in args]
    shown = "rlvid " + " ".join(shlex.quote(w) for w in words)
    start = time.perf_counter()
    done = subprocess.run([*RLVID, *words], capture_output=True, text=True, cwd=ROOT)
    seconds = time.perf_counter() - start
    lines = done.stdout.strip().splitlines()
    print(f"$ {shown}\n  {lines[-1] if lines else ''} [{seconds:.1f} s]")
    if done.returncode != 0:
        raise RuntimeError(f"`{shown}` failed ({done.returncode}): {done.stderr.strip()}")
    return seconds


v2v_run = work.parent / "runs" / "real_footage" / f"v2v-{v2v_dataset}-rlv2v-s{seed}"
rovr_run = stage_dir(cfg, seed, "ppg-flow-warm")
seconds = {}

# %% tags=["nbval-ignore-output"]
seconds["train v2v"] = rlvid("train", "v2v", "--dataset", v2v_dataset, "--profile", cfg.profile,
                             "--seed", seed, "--run-dir", v2v_run)
seconds["train rovr"] = rlvid("train", "rovr", "--stage", "ppg", "--profile", cfg.profile,
                              "--seed", seed, "--run-dir", rovr_run)

# %% [markdown]
# ## Translation: `rlvid translate`

# %% tags=["nbval-ignore-output"]
translated_path = work / "translated.mp4"
seconds["translate"] = rlvid("translate", video_path, "--checkpoint", v2v_run / "model.pt",
                             "-o", translated_path)

# %% tags=["hide-input"]
translated = read_video(translated_path)
model_size = int(load_translator(v2v_run / "model.pt")[1]["size"])
print(f"input {tuple(video.shape)}; output {tuple(translated.shape)}; the translator works "
      f"at {model_size}x{model_size}")
if translated.shape != video.shape:  # the CLI did not keep the input's size: say so
    print(f"NOTE: the CLI wrote {translated.shape[3]}x{translated.shape[2]} frames, not the "
          f"input's {width}x{height}; resized here (bilinear) to compare with the input")
    translated = F.interpolate(translated, size=(height, width), mode="bilinear",
                               align_corners=False).clamp(0, 1)

# %% tags=["hide-input", "nbval-ignore-output"]
show_video([video, translated], titles=["input", f"RL-V2V-GAN ({v2v_dataset})"], fps=fps,
           inches=2.6)

# %% [markdown]
# **How it is scored, without a twin.** *Content kept*: SSIM between the Sobel edge maps of
# input and output luma (1 = the same structure, whatever the colours). *Temporal
# coherence*: E_warp (each output frame warped back onto the previous one along the
# optical flow of the **input**, mean squared difference over non-occluded pixels; lower is
# steadier) and flicker (mean change of the frame-mean colour). *Look*: the mean luma, to
# see how far a day-to-night translator darkens the picture. Reference rows, none of them a
# translation: three **trivial** rows (the input itself; a *flat* video, each frame
# filled with its own mean colour; and our output *shuffled* in time, the same frames in a
# random order), and one **upper bound** (the input shrunk to the translator's frame size and
# enlarged back, which shows what the resolution alone costs). Without a twin no measure
# here tells a translation from doing nothing: the input keeps every edge and a flat video
# never flickers, so read each against the trivial rows. No claim is judged on this page.

# %% tags=["hide-input"]
ours_label = f"RL-V2V-GAN ({v2v_dataset})"
translate_rows, translate_refs = translation_rows(video, translated, model_size, ours_label,
                                                  seed)
translation_table(translate_rows, translate_refs)

# %% tags=["hide-input"]
show_list(translation_sentences(translate_rows, translate_refs, video, translated),
          caption="What the numbers say")

# %% [markdown]
# ## Inpainting: `rlvid inpaint`
#
# The output goes to a folder of PNG frames rather than an mp4, so that the scores below
# measure the fill and not a second round of video compression.

# %% tags=["nbval-ignore-output"]
inpainted_path = work / "inpainted"
seconds["inpaint"] = rlvid("inpaint", video_path, "--masks", mask_dir,
                           "--checkpoint", rovr_run / "checkpoint.pt", "-o", inpainted_path)

# %% tags=["hide-input"]
inpainted = read_video(inpainted_path)
print(f"input {tuple(video.shape)}; output {tuple(inpainted.shape)}; ROVR was trained on "
      f"{cfg.data.rovr_size}x{cfg.data.rovr_size} frames")
if inpainted.shape != video.shape:
    raise RuntimeError("rlvid inpaint did not keep the input's size and frame count")

# %% [markdown]
# **The reference rows.** *Copy-nearest-visible*: each hidden pixel takes its value from
# the nearest frame in time where that pixel is visible (earlier first on ties); the camera
# moves, so the copied pixel shows a point of the scene a few pixels away. *OpenCV Telea*:
# `cv2.inpaint(..., cv2.INPAINT_TELEA)` on each frame alone, growing the hole's border
# inwards. *Mean fill*: the mean colour of the frame's visible pixels; *unfilled*: the holes left black. None of them is
# trained. **Scores**, on the decoded mp4 as ground truth: the mean squared error over the
# hidden pixels, the PSNR of that error, and SSIM of the frame with its hidden pixels taken
# from the fill (so it judges the fill in its 11x11 surroundings); *visible_mse* is how much
# a method changed the pixels it was given (0 for every reference fill).

# %%
fills = reference_fills(video, masks)
scores = {name: hidden_scores(out, video, masks) for name, out in fills.items()}
ours_name = f"ROVR (PPG, seed {seed})"
ours_scores = hidden_scores(inpainted, video, masks)
inpaint_rows, inpaint_refs = inpaint_rows_of(ours_name, seed, ours_scores, scores)
inpaint_table(inpaint_rows, inpaint_refs, float(masks.float().mean()))

# %% tags=["hide-input"]
show_list(comparison_sentences("ROVR", ours_scores, scores),
          caption="ROVR against each reference fill (computed from the table)")

# %% tags=["hide-input", "nbval-ignore-output"]
masked_view = video.masked_fill(masks, 0.0)
show_video([masked_view, inpainted, fills["copy-nearest-visible"], fills["OpenCV Telea"], video],
           titles=["masked input", "ROVR", "copy-nearest", "Telea", "truth"], fps=fps,
           inches=1.6)

# %% [markdown]
# Frame by frame: the hidden-pixel error of each fill. Copy-nearest-visible's error depends
# on how long a box covers a pixel: the longer, the farther in time the nearest frame that
# shows it, and the farther the camera has moved since.

# %% tags=["hide-input"]
def per_frame_mse(out: torch.Tensor) -> np.ndarray:
    hidden = masks.expand_as(video).double()
    err = ((out.double() - video.double()) ** 2 * hidden).sum(dim=(1, 2, 3))
    return (err / hidden.sum(dim=(1, 2, 3)).clamp(min=1)).numpy()


fig, ax = plt.subplots(figsize=(6, 2.6))
for name, out in {"ROVR": inpainted, **fills}.items():
    ax.plot(per_frame_mse(out), marker="o", ms=3, label=name, lw=2 if name == "ROVR" else 1)
ax.set_xlabel("frame")
ax.set_ylabel("hidden-pixel MSE")
ax.legend(fontsize=8, ncol=2)
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Result table and cost

# %% tags=["hide-input"]
rows = ([{"task": "translate", **r} for r in translate_rows + translate_refs]
        + [{"task": "inpaint", **r} for r in inpaint_rows + inpaint_refs])
backends = {"flow": metric_backends()["flow"]}
path = write_table("real_footage", rows, cfg, backends,
                   notes=f"scikit-image photograph {photo!r}, {frames} frames of "
                         f"{width}x{height}, pan {speed:g} px/frame; translation scored "
                         "without a twin; inpainting on hidden pixels of the decoded mp4")
print(f"wrote {path.name}")

# %% tags=["hide-input", "nbval-ignore-output"]
show_table([{"step": k, "seconds": v} for k, v in seconds.items()],
           caption="Wall-clock cost of each command on this machine")

# %% [markdown]
# ## Reading it
#
# The sentences above are computed from the numbers on each run; what follows is why the
# comparison is built the way it is, and what it cannot show.
#
# - **Neither model has seen a photograph.** The translator learnt day-to-night on
#   procedural city aerials at a tiny frame size, and ROVR's local network learnt to fill
#   boxes in procedural textures at the ROVR frame size. On a photograph of a cat both are
#   far outside their training data; a user who trains on their own footage (the your-videos
#   page) closes that gap, this page does not.
# - **The reference fills suit this footage.** In a slow pan a hidden pixel shows up in an
#   earlier or later frame displaced by only `speed` pixels per frame of distance, which is
#   what copy-nearest-visible exploits; photographs are smooth over most small holes, which
#   is what Telea exploits. ROVR has to match them with a network trained on other data.
# - **Translation has no right answer here.** The table says whether structure survives and
#   whether the output is steady, not whether it looks like night: judge that in the
#   animation. The translator is recurrent (ConvLSTM): its first frames come from an empty
#   state, so they can differ from the later ones; the frame-by-frame luma above shows
#   whether they do.
# - **Sizes.** The command-line tools read any frame size and length; the models themselves
#   run at their training size, so detail finer than that size is lost on the way.
