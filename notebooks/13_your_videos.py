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
import matplotlib.pyplot as plt
import torch

from rlvid.blocks import show_definitions
from rlvid.display import show_table
from rlvid.figures import v2v_training_curves
from rlvid.metrics import metric_backends
from rlvid.report import method_table, training_times
from rlvid.results import add_budget_ratios, results_dir, write_table
from rlvid.v2v.style import (
    HIGHER_IS_BETTER,
    METHOD_ORDER,
    STYLE_METHODS,
    evaluate_style,
    fit_style_judge,
    run_style_experiment,
    style_config,
    table_rows,
)
from rlvid.v2v.style_data import folder_reference_rows, load_style_folders, style_folders
from rlvid.v2v_pages import result_table
from rlvid.viz import frame_grid, method_panels, show_video

cfg, share = style_config(profile, seeds, iterations_share)
torch.set_num_threads(cfg.torch_threads or 1)
print(f"profile {cfg.profile}, seeds {list(cfg.seeds)}, frames {cfg.data.size}x{cfg.data.size}, "
      f"T = {cfg.data.video_len}; {share:g} of the profile's training iterations")

# %% [markdown]
# ## The folders
#
# With no folder given, a procedural dataset is written to folders under the build folder
# and read back through the same loader as yours.

# %%
work = results_dir(cfg.profile).parent / "your_videos"
folders = style_folders(x_dir, y_dir, z_dir, zbar_dir, procedural, cfg.data, work,
                        data_seed=cfg.v2v.data_seed)
T = cfg.data.video_len
videos = load_style_folders(folders["x"], folders["y"], folders["z"], folders["zbar"],
                            size=cfg.data.size, T=T, test_share=test_share)

# %% tags=["hide-input", "nbval-ignore-output"]
show_definitions({k: str(v) for k, v in folders.items()}, caption="Folders read")

# %% tags=["hide-input"]
show_table([{"set": k, "clips (images for zbar)": n} for k, n in videos.counts().items()],
           caption=f"Clips of {T} frames cut from the folders")

# %% [markdown]
# **Figure 1.** One clip of each training set (Z̄: still images), frames in time from left
# to right.

# %% tags=["hide-input"]
frame_grid({"X": videos.x[0], "Y": videos.y[0], "Z": videos.z[0], "Z̄": videos.zbar[:T]})
plt.show()

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
judge = fit_style_judge(videos.x_test, videos.y_test, videos.zbar,
                        steps=cfg.v2v.classifier_steps, seed=cfg.v2v.judge_seed)
reference = folder_reference_rows(videos, lambda out, src: evaluate_style(out, src, judge))

# %% tags=["hide-input"]
show_definitions({"domain classifier": judge.describe()})
method_table([], reference, ["edge_ssim", "target_share", "colour_fd", "ewarp", "flicker"],
             caption="What the reference clips score")

# %% [markdown]
# ## Training every method with every seed

# %% tags=["nbval-ignore-output"]
runs = results_dir(cfg.profile).parent / "runs" / "v2v"
experiment = run_style_experiment(cfg, videos, videos.x_test,
                                  lambda out: evaluate_style(out, videos.x_test, judge),
                                  runs, dataset="your_videos", methods=STYLE_METHODS)

# %% tags=["hide-input", "nbval-ignore-output"]
training_times(experiment.rows)

# %% [markdown]
# ## Results

# %%
rows = add_budget_ratios(experiment.rows, "rlv2v")

# %% tags=["hide-input"]
backends = {"flow": metric_backends()["flow"], "domain_classifier": judge.describe()}
source = "procedural " + procedural if x_dir is None else "user folders"
path = write_table("your_videos", table_rows(source, rows, reference), cfg, backends,
                   notes=f"twin-free metrics; data: {source}; per-seed rows, then trivial "
                         f"reference rows (kind); iterations share {share:g}")

# %% [markdown]
# **Figure 2.** Each method's score on the twin-free metrics (one panel per metric; the
# arrow says which way is better). Grey dots are single seeds; the blue point is the mean
# over seeds with its 95% confidence interval (Student t over seeds; no bar with one seed).
# Dashed lines: the trivial reference rows (the untranslated source, the source
# shuffled in time, the Y clips' mean colour in every pixel, real held-out Y clips).
# Doing nothing scores edge SSIM 1, so read edge SSIM together with target share.

# %% tags=["hide-input"]
method_panels(rows, ["edge_ssim", "target_share", "colour_fd", "ewarp", "flicker"],
              order=METHOD_ORDER, reference_rows=reference,
              scale={"ewarp": 1e3, "flicker": 1e3})
plt.show()

# %% tags=["hide-input", "nbval-ignore-output"]
result_table(table_rows(source, rows, reference), HIGHER_IS_BETTER,
             caption=f"Your videos ({source})",
             notes=f"E_warp flow: {backends['flow']}")

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
outputs = experiment.first_videos(cfg.seeds[0], METHOD_ORDER)
frame_grid({"X": videos.x[1 % len(videos.x)], "Y": videos.y[1 % len(videos.y)],
            "Z": videos.z[1 % len(videos.z)], "Z̄": videos.zbar[T:2 * T],
            "source": videos.x_test[0], **outputs})
plt.show()

# %% [markdown]
# The held-out clip and its translations as an animation (4 frames per second):

# %% tags=["hide-input", "nbval-ignore-output"]
show_video([videos.x_test[0], *outputs.values()], titles=["source", *outputs], fps=4)

# %% [markdown]
# ## How training went
#
# **Figure 4.** First-seed training curves, as on the synthetic page.

# %% tags=["hide-input"]
v2v_training_curves(experiment.histories)
plt.show()
