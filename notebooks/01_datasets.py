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
# # The datasets
#
# Neither paper's data can be fetched here (YouTube-8M clips, the StyleGAN flower set, a
# proprietary set, RealVSR), so the kit generates data that follows each paper's own
# definition of its domains. This page shows every set the experiments use, next to the
# paper's description, and the counts of each profile next to the paper's.
#
# RL-V2V-GAN (§6.1) translates videos of a source domain $X$ into a target domain $Y$ that
# has only a few videos. It also uses videos $Z$ (the target's content in the source's
# style) and still style images $\bar Z$. For evaluation only, every held-out $X$ video has
# a **twin**: the same motion rendered in the target domain, so a translation can be
# scored against ground truth.

# %% tags=["parameters"]
from typing import Optional

# ruff: noqa: UP045 -- papermill --help-notebook reads Optional[...], not X | None
profile: str = "cpu"  # smoke | cpu | paper
seeds: Optional[list] = None  # seeds, e.g. [0, 1]: the first generates the data shown; None: the profile's

# %%
import tempfile

import matplotlib.pyplot as plt
import numpy as np

from rlvid.config import PROFILE_NAMES, load_config
from rlvid.data import (
    DOMAINS,
    PAPER_FRAMES,
    V2V_NAMES,
    load_v2v_dataset,
    load_video_folder,
    make_masked_set,
    v2v_counts,
    write_video,
)
from rlvid.viz import frame_grid, show_video, table

cfg = load_config(profile, {"seeds": seeds})
seed = cfg.seeds[0]
d = cfg.data
print(f"profile {cfg.profile}, seed {seed}: frames {d.size}x{d.size}, T = {d.video_len}; "
      f"ROVR videos {d.rovr_len} frames of {d.rovr_size}x{d.rovr_size}")

# %% [markdown]
# ## Counts: the paper's and each profile's
#
# The paper gives frame counts. A profile keeps `count_scale` of them, cut into videos of
# $T$ frames (at least `min_videos` per set); $\bar Z$ holds still images. The `paper`
# profile reproduces the paper's counts; held-out test videos (with twins) and held-out
# target videos come on top.

# %%
rows = []
for name in V2V_NAMES:
    for key in ("x", "y", "z", "zbar"):
        row = {"dataset": name, "set": key, "content": DOMAINS[name][key],
               "paper frames": PAPER_FRAMES[name][key]}
        for p in PROFILE_NAMES:
            dp = load_config(p).data
            n = v2v_counts(name, dp)[key]
            row[p] = f"{n} img" if key == "zbar" else f"{n}x{dp.video_len} = {n * dp.video_len}"
        rows.append(row)
table(rows)

# %%
rows = []
for p in PROFILE_NAMES:
    dp = load_config(p).data
    rows.append({"profile": p, "frame size": dp.size, "T": dp.video_len,
                 "test videos (+twins)": dp.test_videos, "ROVR train videos": dp.rovr_train_videos,
                 "ROVR test videos": dp.rovr_test_videos, "ROVR size": dp.rovr_size})
table(rows)

# %% [markdown]
# ## Dataset 1: synthetic shapes (the paper's Table 2)
#
# $X$: colourful rectangles moving on black. $Y$: circles moving on a background that is
# blue in the first half of each video and red in the second (the Figure 1 rule). $Z$:
# circles on black. $\bar Z$: random circles on blue or red. A frame-by-frame translator
# cannot know which background colour a frame needs; a video model can.

# %%
synthetic = load_v2v_dataset("synthetic", d, seed)


def domain_rows(data):
    return {"X": data.x[0], "Y": data.y[0], "Z": data.z[0], "Z̄ (images)": data.zbar}


frame_grid(domain_rows(synthetic), max_frames=8)
plt.show()

# %% [markdown]
# A held-out $X$ video and its twin (the same objects and motion as circles on the
# blue-then-red background), as the evaluation sees them:

# %%
frame_grid({"X test": synthetic.x_test[0], "twin": synthetic.x_test_twin[0]}, max_frames=8)
plt.show()

# %%
show_video([synthetic.x_test[0], synthetic.x_test_twin[0], synthetic.y[0]],
           titles=["X test", "twin", "a Y video"])

# %% [markdown]
# ## Dataset 2: flowers (the paper's Table 3)
#
# A parametric flower (petal count, petal width and pointedness, size, a logistic bloom
# over time, sway and a slow turn) drawn in red on black ($X$), in yellow on a procedural
# natural background of foliage, grass or sky ($Y$), in yellow on black ($Z$), and in
# random colours on natural backgrounds as still images ($\bar Z$).

# %%
flowers = load_v2v_dataset("flowers", d, seed)
frame_grid(domain_rows(flowers), max_frames=8)
plt.show()

# %%
show_video([flowers.x_test[0], flowers.x_test_twin[0], flowers.y[0]],
           titles=["X test", "twin", "a Y video"])

# %% [markdown]
# ## Dataset 3: city aerials (the paper's Table 4)
#
# A road grid with building footprints: dense, tall and varied for a modern city, sparse
# low houses among trees for a small town. By day, shadows grow with building height; by
# night, the ground is dark, street lights glow along the roads and windows are lit. The
# camera pans and turns slowly. $X$: modern city by day; $Y$: small town by night; $Z$:
# small town by day; $\bar Z$: night city images. The twin of an $X$ video is the same
# scene at night.

# %%
city = load_v2v_dataset("city", d, seed)
frame_grid(domain_rows(city), max_frames=8)
plt.show()

# %%
show_video([city.x_test[0], city.x_test_twin[0], city.y[0]],
           titles=["X test", "twin", "a Y video"])

# %% [markdown]
# ## The ROVR masked-video task (ROVR §4)
#
# Base videos of 20 frames are procedural textures drifting slowly, so the same pixel in
# another frame shows nearly the same content. Every frame gets four boxes of random size
# and place, drawn from seven positions per video. For every target frame, a pair of other
# frames is **valid** when, between them, they show every pixel the target hides; the
# *coverage* of a pair is the share of the target's hidden pixels they show. The layout is
# built so that every target has between 1 and 16 valid pairs out of the 171, and the
# frames are then shuffled so that valid frames are not simply the target's neighbours.
# As in ROVR's Figure 1, original and masked frames:

# %%
masked = make_masked_set(d, "test", seed)
frame_grid({"original": masked.videos[0], "masked": masked.corrupted[0]}, max_frames=10)
plt.show()

# %% [markdown]
# For one video: how many valid pairs each target has, and how often each frame takes
# part in a valid pair for each target (the imitation-learning labels count frames that
# appear in at least one). Frames far from the target are as useful as its neighbours.

# %%
valid = masked.valid[0].numpy()
pairs_per_target = np.triu(valid, 1).sum(axis=(1, 2))
in_valid_pairs = valid.sum(axis=2)  # [target, frame]: valid pairs that use the frame
fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
left.bar(np.arange(len(pairs_per_target)), pairs_per_target, color="tab:blue")
left.set(xlabel="target frame", ylabel="valid pairs (of 171)", title="valid pairs per target",
         xticks=range(0, 20, 2))
im = right.imshow(in_valid_pairs, cmap="viridis")
right.set(xlabel="conditioning frame", ylabel="target frame",
          title="valid pairs using each frame", xticks=range(0, 20, 2), yticks=range(0, 20, 2))
fig.colorbar(im, ax=right)
fig.tight_layout()
plt.show()

# %%
train = make_masked_set(d, "train", seed)
all_valid = train.valid.numpy()
counts = np.triu(all_valid, 1).sum(axis=(2, 3))
_, t_idx, i_idx, _ = np.nonzero(all_valid)
uniform = np.mean([np.mean([abs(a - b) for a in range(20) if a != b]) for b in range(20)])
print(f"train set: {len(train)} videos; valid pairs per target: min {counts.min()}, "
      f"mean {counts.mean():.2f}, max {counts.max()}")
print(f"mean |frame - target| over valid pairs: {np.abs(i_idx - t_idx).mean():.2f} "
      f"(uniform over the other 19 frames: {uniform:.2f})")
print(f"share of valid-pair frames next to the target: {(np.abs(i_idx - t_idx) == 1).mean():.3f} "
      f"(uniform: {2 / 19:.3f})")

# %% [markdown]
# ## Real videos
#
# `load_video_folder` reads a folder of mp4 files or of clip folders of PNG/JPG frames
# (the RealVSR layout), centre-crops and resizes the frames, and cuts clips of $T$ frames;
# the same masking applies (`mask_videos`). Here, two synthetic videos written as frame
# folders and read back:

# %%
with tempfile.TemporaryDirectory() as folder:
    for k in range(2):
        write_video(f"{folder}/clip_{k}", synthetic.x[k])
    clips = load_video_folder(folder, size=d.size, T=d.video_len)
print("clips:", tuple(clips.shape), "max abs difference from the originals:",
      round(float((clips - synthetic.x[:2]).abs().max()), 4))
