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
# # Your own videos
#
# **The paper's fourth dataset cannot be reproduced.** RL-V2V-GAN's Tables 5 and 6 describe
# a proprietary dataset (2,000 synthetic images as X, 500 real-world images of a type A as
# Y, 1,000 real-world images of a type B as Z and 4,000 real-world images of type A as Z̄).
# It is not public, the paper shows it only as sample frames, and nothing in this kit
# stands in for it: no number here is a reproduction of those tables (see the
# {ref}`errata for the flower, city and your-videos pages <v2v-style-errata>`).
#
# What the kit offers instead is this notebook: point it at four folders of your own
# (X, Y and Z videos, Z̄ images) and it trains RL-V2V-GAN, RL-V2V-GAN without DDPG, the
# compute-matched control and CycleGAN on them and scores every translation with the metrics that need
# no twin (real data has no ground-truth translation). With no folders given it writes a
# procedural dataset to folders and reads it back through the same loader, so it runs
# anywhere, including CI. Run it on your data with papermill:
#
# ```
# jupytext --to ipynb -o yours.ipynb notebooks/13_your_videos.py
# papermill yours.ipynb yours.out.ipynb --cwd notebooks -p profile cpu \
#     -p x_dir /data/x -p y_dir /data/y -p z_dir /data/z -p zbar_dir /data/zbar
# ```
#
# A folder holds video files (mp4, gif, ...) or clip folders of PNG/JPG frames; Z̄ holds
# images (or videos, whose frames become images). Frames are centre-cropped to squares,
# resized to the profile's frame size and cut into clips of T frames.

# %% tags=["parameters"]
from typing import Optional

# ruff: noqa: UP045 -- papermill --help-notebook reads Optional[...], not X | None
profile: str = "cpu"  # smoke | cpu | paper
seeds: Optional[list] = None  # training seeds, e.g. [0, 1, 2]; None: the profile's
x_dir: Optional[str] = None  # folder of source-domain (X) videos; None (all four): a procedural dataset
y_dir: Optional[str] = None  # folder of target-domain (Y) videos
z_dir: Optional[str] = None  # folder of Z videos: the target's content in the source's look
zbar_dir: Optional[str] = None  # folder of Z̄ style images
procedural: str = "flowers"  # procedural dataset used when no folder is given: synthetic | flowers | city
test_share: float = 0.25  # share of the X and Y clips held out for evaluation
iterations_share: Optional[float] = None  # share of the profile's training iterations; None: the profile's v2v.iterations_share (0.5 at cpu)

# %% tags=["hide-input"]
from rlvid.book.pages.style_sets import FolderPage

yours = FolderPage(profile, seeds, iterations_share, (x_dir, y_dir, z_dir, zbar_dir),
                   procedural, test_share)

# %% [markdown]
# ## The folders
#
# With no folder given, a procedural dataset is written to folders under the build folder
# and read back through the same loader as yours.

# %% tags=["hide-input", "nbval-ignore-output"]
yours.show_folders()

# %% tags=["hide-input"]
yours.show_clip_counts()

# %% [markdown]
# **Figure 1.** One clip of each training set (Z̄: still images), frames in time from left
# to right.

# %% tags=["hide-input"]
yours.show_data()

# %% [markdown]
# ## How the translations are scored, without a twin
#
# Every metric is computed on the held-out X clips (no method trained on them) and
# averaged over them; each method is trained with every seed and reported as mean ±
# standard deviation over the seeds. With no twin there is no PSNR, SSIM or perceptual
# distance to a right answer: the table can say whether content was kept, whether the
# target style was reached and whether the output is steady, not whether it is correct.
#
# **Content kept: edge SSIM.** The luma's Sobel edges of source and output, each scaled to a
# maximum of 1, compared with SSIM: 1 when the output keeps the source's structure exactly,
# whatever its colours. Doing nothing scores 1, so read it together with the style columns.
#
# **Target style reached: target share.** A small CNN is trained to tell real X frames from
# real Y frames, on the held-out clips only (a quarter of those frames measures its
# accuracy, printed below); the metric is the share of output frames it calls Y. The held-out
# X clips are also the clips being translated, so the classifier has seen their untranslated
# frames as "X": an output must really change to be called Y. It says "looks like the
# target domain", not "is a good translation".
#
# **Target style reached: colour Fréchet distance to Z̄.** Gaussians fitted to the RGB values
# of all output pixels and of all Z̄ pixels, and the Fréchet distance between them (FID's
# formula on colours): 0 when mean and covariance agree; lower is closer to the palette.
#
# **Temporal coherence: E_warp.** Each output frame is brought back onto the previous one
# along the optical flow of the *source* clip, and the mean squared difference over
# non-occluded pixels is taken (Lai et al. 2018): lower means the output moves the way the
# source does.
#
# **Temporal coherence: flicker.** The mean absolute change of the frame-mean colour between
# consecutive frames: a frame-by-frame translator that picks a slightly different colour
# per frame flickers.

# %%
yours.fit_judge()

# %% [markdown]
# ## Training every method with every seed

# %% tags=["nbval-ignore-output"]
yours.train()

# %% [markdown]
# ## Results

# %%
yours.write_table()

# %% [markdown]
# **Figure 2.** Each method's score on the twin-free metrics (one panel per metric; the
# arrow says which way is better). Grey dots are single seeds; the blue point is the mean
# over seeds with its 95% confidence interval (Student t over seeds; no bar with one seed).
# Dashed lines: the trivial reference rows (the untranslated source, the source
# shuffled in time, the Y clips' mean colour in every pixel, real held-out Y clips).
# Doing nothing scores edge SSIM 1, so read edge SSIM together with target share.

# %% tags=["hide-input", "nbval-ignore-output"]
yours.show_results(f"Your videos ({yours.source})")

# %% [markdown]
# ### What the numbers say
#
# There is no paper number to set beside these: the paper's Tables 5 and 6 use a
# proprietary dataset, so its claim is "not comparable" (claim V11 on the results page).
# Without a twin, no metric here measures content and style together: a trivial clip can
# win each of the above by design (the untranslated source keeps every edge, a flat frame
# of the target's mean reaches its style), so read them side by side and against the
# trivial rows; no claim is judged on this page.

# %% [markdown]
# ## Samples
#
# **Figure 3.** The training domains, then one held-out X clip and each method's output
# (first seed), frames in time from left to right.

# %% tags=["hide-input"]
yours.show_samples()

# %% [markdown]
# The held-out clip and its translations as an animation (4 frames per second):

# %% tags=["hide-input", "nbval-ignore-output"]
yours.show_animation()

# %% [markdown]
# ## How training went
#
# **Figure 4.** First-seed training curves, as on the synthetic page.

# %% tags=["hide-input"]
yours.show_training_curves()
