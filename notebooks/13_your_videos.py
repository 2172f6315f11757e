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
# stands in for it: no number here is a reproduction of those tables.
#
# What the kit offers instead is this notebook: point it at four folders of your own
# (X, Y and Z videos, Z̄ images) and it trains RL-V2V-GAN, RL-V2V-GAN without DDPG,
# Recycle-GAN and CycleGAN on them and scores every translation with the metrics that need
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
iterations_share: Optional[float] = None  # share of the profile's training iterations; None: 0.7 at cpu, else 1

# %%
import matplotlib.pyplot as plt
import torch

from rlvid.config import load_config
from rlvid.metrics import metric_backends
from rlvid.results import aggregate_seeds, results_dir, write_table
from rlvid.train.evaluate_style import (
    CLASSIFIER_STEPS,
    METHOD_ORDER,
    comparison_sentences,
    evaluate_style,
    fit_style_judge,
    folder_reference_rows,
    load_style_folders,
    run_style_experiment,
    scaled_iterations,
    style_folders,
    summary_rows,
    table_rows,
)
from rlvid.viz import frame_grid, show_video, table

share = iterations_share if iterations_share is not None else (0.7 if profile == "cpu" else 1.0)
base = load_config(profile)
cfg = load_config(profile, {"seeds": seeds, **scaled_iterations(base.v2v, share)})
torch.set_num_threads(cfg.torch_threads or 1)
print(f"profile {cfg.profile}, seeds {list(cfg.seeds)}, frames {cfg.data.size}x{cfg.data.size}, "
      f"T = {cfg.data.video_len}; {share:g} of the profile's training iterations")

# %% [markdown]
# ## The folders

# %% tags=["nbval-ignore-output"]
work = results_dir(cfg.profile).parent / "your_videos"
folders = style_folders(x_dir, y_dir, z_dir, zbar_dir, procedural, cfg.data, work)
for name, folder in folders.items():
    print(f"{name:5s} {folder}")

# %%
T = cfg.data.video_len
videos = load_style_folders(folders["x"], folders["y"], folders["z"], folders["zbar"],
                            size=cfg.data.size, T=T, test_share=test_share)
print("clips (images for zbar):", videos.counts())
fig = frame_grid({"X": videos.x[0], "Y": videos.y[0], "Z": videos.z[0], "Z̄": videos.zbar[:T]})
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
                        steps=CLASSIFIER_STEPS[cfg.profile], seed=0)
reference = folder_reference_rows(videos, lambda out, src: evaluate_style(out, src, judge))
print(f"domain classifier: {judge.describe()}")
table(summary_rows([], reference))

# %% [markdown]
# ## Training every method with every seed

# %% tags=["nbval-ignore-output"]
runs = results_dir(cfg.profile).parent / "runs" / "v2v"
experiment = run_style_experiment(cfg, videos, videos.x_test,
                                  lambda out: evaluate_style(out, videos.x_test, judge),
                                  runs, dataset="your_videos")
for method in ("rlv2v", "recycle", "cyclegan"):
    seconds = [r["train_s"] for r in experiment.rows if r["method"] == method]
    print(f"{method:9s} training time per seed: {sum(seconds) / len(seconds):.1f} s")

# %% [markdown]
# ## Results
#
# Mean ± standard deviation over the seeds on the held-out X clips (higher is better for
# edge_ssim and target_share; lower for colour_fd, ewarp and flicker).

# %%
summary = aggregate_seeds(experiment.rows, keys=["method"])
backends = {"flow": metric_backends()["flow"], "domain_classifier": judge.describe()}
print(f"profile {cfg.profile}; seeds {list(cfg.seeds)}; flow (E_warp): {backends['flow']}")
table(summary_rows(summary, reference))

# %%
source = "procedural " + procedural if x_dir is None else "user folders"
path = write_table("your_videos", table_rows(source, experiment.rows, reference), cfg, backends,
                   notes=f"twin-free metrics; data: {source}; per-seed rows; identity and "
                         f"held-out Y are reference rows; iterations share {share:g}")
for line in comparison_sentences(summary):
    print(line)

# %% [markdown]
# ## Samples
#
# The training domains, then one held-out X clip and each method's output (first seed).

# %%
outputs = {m: experiment.outputs[m][cfg.seeds[0]][0] for m in METHOD_ORDER}
fig = frame_grid({"X": videos.x[1 % len(videos.x)], "Y": videos.y[1 % len(videos.y)],
                  "Z": videos.z[1 % len(videos.z)], "Z̄": videos.zbar[T:2 * T],
                  "source": videos.x_test[0], **outputs})
plt.show()

# %%
show_video([videos.x_test[0], *outputs.values()], titles=["source", *outputs], fps=4)
