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
# paper's description, and the counts of each profile next to the paper's. Our readings of
# the papers' data are on the {doc}`datasets errata page <../../book/errata/datasets>`.
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

# %% tags=["hide-input"]
import tempfile

import matplotlib.pyplot as plt

from rlvid.book.display import show_table
from rlvid.book.figures import valid_pair_layout
from rlvid.book.report import dataset_counts, profile_sizes, valid_pair_summary
from rlvid.book.viz import frame_grid, show_video
from rlvid.config import load_config
from rlvid.data import load_v2v_dataset, load_video_folder, make_masked_set, write_video

cfg = load_config(profile, {"seeds": seeds})
seed = cfg.seeds[0]
d = cfg.data
print(f"profile {cfg.profile}, seed {seed}: frames {d.size}x{d.size}, T = {d.video_len}; "
      f"ROVR videos {d.rovr_len} frames of {d.rovr_size}x{d.rovr_size}")


def domain_rows(data):
    return {"X": data.x[0], "Y": data.y[0], "Z": data.z[0], "Z̄ (images)": data.zbar}


# %% [markdown]
# ## Counts: the paper's and each profile's
#
# The paper gives frame counts. A profile keeps `count_scale` of them, cut into videos of
# $T$ frames (at least `min_videos` per set); $\bar Z$ holds still images. The `paper`
# profile reproduces the paper's counts; held-out test videos (with twins) and held-out
# target videos come on top.

# %% tags=["hide-input"]
dataset_counts()

# %% tags=["hide-input"]
profile_sizes()

# %% [markdown]
# ## Dataset 1: synthetic shapes (the paper's Table 2)
#
# $X$: colourful rectangles moving on black. $Y$: circles moving on a background that is
# blue in the first half of each video and red in the second (the Figure 1 rule). $Z$:
# circles on black. $\bar Z$: random circles on blue or red. A frame-by-frame translator
# cannot know which background colour a frame needs; a video model can.
#
# **Figure 1.** One video of each set (rows), eight frames evenly spaced in time; the $\bar Z$
# row shows eight of its still images. Look at the $Y$ row: blue first, red after half-way.

# %%
synthetic = load_v2v_dataset("synthetic", d, seed)

# %% tags=["hide-input"]
frame_grid(domain_rows(synthetic), max_frames=8)
plt.show()

# %% [markdown]
# **Figure 2.** A held-out $X$ video and its twin (the same objects and motion as circles on
# the blue-then-red background), as the evaluation sees them: the twin is the right answer
# a translation is scored against. The animation plays them beside a $Y$ training video.

# %% tags=["hide-input"]
frame_grid({"X test": synthetic.x_test[0], "twin": synthetic.x_test_twin[0]}, max_frames=8)
plt.show()

# %% tags=["hide-input", "nbval-ignore-output"]
show_video([synthetic.x_test[0], synthetic.x_test_twin[0], synthetic.y[0]],
           titles=["X test", "twin", "a Y video"])

# %% [markdown]
# ## Dataset 2: flowers (the paper's Table 3)
#
# A parametric flower (petal count, petal width and pointedness, size, a logistic bloom
# over time, sway and a slow turn) drawn in red on black ($X$), in yellow on a procedural
# natural background of foliage, grass or sky ($Y$), in yellow on black ($Z$), and in
# random colours on natural backgrounds as still images ($\bar Z$).
#
# **Figure 3.** One video of each set, as in Figure 1: the flower opens over the eight
# frames; the animation shows a test video, its twin and a $Y$ video.

# %%
flowers = load_v2v_dataset("flowers", d, seed)

# %% tags=["hide-input"]
frame_grid(domain_rows(flowers), max_frames=8)
plt.show()

# %% tags=["hide-input", "nbval-ignore-output"]
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
#
# **Figure 4.** One video of each set, as in Figure 1; the camera's pan and turn show along
# each row.

# %%
city = load_v2v_dataset("city", d, seed)

# %% tags=["hide-input"]
frame_grid(domain_rows(city), max_frames=8)
plt.show()

# %% tags=["hide-input", "nbval-ignore-output"]
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
#
# **Figure 5.** As in ROVR's Figure 1: the original frames (top) and the masked frames the
# inpainting sees (bottom), ten of the twenty.

# %%
masked = make_masked_set(d, "test", seed)

# %% tags=["hide-input"]
frame_grid({"original": masked.videos[0], "masked": masked.corrupted[0]}, max_frames=10)
plt.show()

# %% [markdown]
# **Figure 6.** For one test video: how many valid pairs each target has (left), and how
# many of a target's valid pairs use each frame (right; the imitation-learning labels count
# frames that appear in at least one). Look at the right panel: the bright cells are
# scattered, not on the diagonal's neighbours, so frames far from the target are as useful
# as its neighbours.

# %% tags=["hide-input"]
valid_pair_layout(masked.valid[0].numpy())
plt.show()

# %% [markdown]
# Over the whole training set, the same in numbers:

# %%
train = make_masked_set(d, "train", seed)

# %% tags=["hide-input"]
valid_pair_summary(train.valid.numpy())

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

# %% tags=["hide-input"]
show_table([{"clips read": len(clips), "shape (N, T, C, H, W)": str(tuple(clips.shape)),
             "largest |difference| from the originals": float(
                 (clips - synthetic.x[:2]).abs().max())}],
           caption="Two videos written as PNG frame folders and read back",
           notes="the difference is PNG's 8-bit rounding")
