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
# # RL-V2V-GAN on city aerials
#
# The paper's third dataset (§6.1, Table 4): translate daytime aerial videos of a modern
# city (X) into night-time aerials of small towns (Y), helped by daytime small-town aerials
# (Z, the target's content in the source's look) and night-time city images (Z̄, the style).
# The paper shows this experiment only as sample frames, with no number. Here the data are
# procedural stand-ins (`rlvid.data.city`; the paper's come from YouTube-8M): a map of roads
# and buildings seen by a camera that pans and turns. Every test video has a *twin*: the
# same city seen by the same camera at night (street lights, lit windows). That turns the
# picture into a measured comparison. At the end, one trained translator runs over a
# 200-frame video in windows of T frames, to show that the windows leave no seam.
#
# Methods, trained on the same data in the same harness as the synthetic notebook:
# RL-V2V-GAN (GAN pretraining, then Algorithm 1), RL-V2V-GAN without the DDPG phase (its
# pretrained weights), Recycle-GAN and a frame-based CycleGAN.

# %% tags=["parameters"]
from typing import Optional

# ruff: noqa: UP045 -- papermill --help-notebook reads Optional[...], not X | None
profile: str = "cpu"  # smoke | cpu | paper
seeds: Optional[list] = None  # training seeds, e.g. [0, 1, 2]; None: the profile's
iterations_share: Optional[float] = None  # share of the profile's training iterations; None: 0.7 at cpu, else 1

# %%
import matplotlib.pyplot as plt
import torch

from rlvid.config import load_config
from rlvid.data import DOMAINS, load_v2v_dataset
from rlvid.metrics import metric_backends
from rlvid.results import aggregate_seeds, results_dir, write_table
from rlvid.train.evaluate_style import (
    CLASSIFIER_STEPS,
    METHOD_ORDER,
    comparison_sentences,
    dataset_evaluator,
    fit_style_judge,
    long_city_video,
    reference_rows,
    run_style_experiment,
    scaled_iterations,
    summary_rows,
    table_rows,
    window_seams,
)
from rlvid.train.v2v import load_translator
from rlvid.viz import frame_grid, show_video, table

share = iterations_share if iterations_share is not None else (0.7 if profile == "cpu" else 1.0)
base = load_config(profile)
cfg = load_config(profile, {"seeds": seeds, **scaled_iterations(base.v2v, share)})
torch.set_num_threads(cfg.torch_threads or 1)
print(f"profile {cfg.profile}, seeds {list(cfg.seeds)}, frames {cfg.data.size}x{cfg.data.size}, "
      f"T = {cfg.data.video_len}; pretraining {cfg.v2v.pretrain_iterations} steps, "
      f"Algorithm 1 {cfg.v2v.rl_iterations} videos, baselines "
      f"{cfg.v2v.baseline_iterations or cfg.v2v.pretrain_iterations + cfg.v2v.rl_iterations} "
      f"steps ({share:g} of the profile's iterations)")

# %% [markdown]
# At `cpu` the notebook trains each method for 0.7 of the profile's iterations, so that
# four methods times three seeds fit in about seven minutes on two CPU cores (the
# `iterations_share` parameter sets it; 1 gives the synthetic notebook's schedule).
#
# ## The data, laid out like the paper's Table 4

# %%
data = load_v2v_dataset("city", cfg.data, seed=0)
print({k: tuple(v.shape) for k, v in
       [("x", data.x), ("y", data.y), ("z", data.z), ("zbar", data.zbar),
        ("x_test", data.x_test)]})
T = cfg.data.video_len
fig = frame_grid({f"X: {DOMAINS['city']['x']}": data.x[0],
                  f"Y: {DOMAINS['city']['y']}": data.y[0],
                  f"Z: {DOMAINS['city']['z']}": data.z[0],
                  "Z̄: style images": data.zbar[:T]})
plt.show()

# %% [markdown]
# ## How the translations are scored
#
# Every metric is computed on the held-out test videos (X videos no method trained on) and
# averaged over them; each method is trained with every seed and reported as mean ± standard
# deviation over the seeds.
#
# **Content kept: edge SSIM.** The luma's Sobel edges of source and output, each scaled to a
# maximum of 1, compared with SSIM. A translation that turns day into night but keeps its
# streets and roof outlines keeps the edges, whatever the colours; 1 is perfect. The twin
# scores far below 1 here: at night the roof edges vanish into the dark and street lights
# and windows add new edges, so the twin's row is the value a perfect translation would
# reach, and a score far above it means the output kept the daytime look.
#
# **Target style reached: target share.** A small CNN is trained to tell real X frames from
# real Y frames, on frames no translator saw (the test videos of an independently generated
# copy of the dataset); a quarter of those frames measures its accuracy, printed below. The
# metric is the share of output frames it calls Y. It says "looks like the target domain",
# not "is a good translation": a Y-looking frame of the wrong place also counts, and since
# Y shows small towns, the classifier may also key on the town layout, not only on night.
#
# **Target style reached: colour Fréchet distance to Z̄.** A Gaussian is fitted to the RGB
# values of all output pixels and one to all pixels of the style images Z̄; the Fréchet
# distance between the two (FID's formula on colours instead of Inception features) is 0
# when mean and covariance agree. Lower is closer to the target's palette.
#
# **Closeness to the twin: perceptual distance, PSNR, SSIM.** The twin is the right answer
# up to details no unpaired method can know: which windows happen to be lit and where
# the street lamps stand. Perceptual distance (shift-tolerant LPIPS, or LPIPS when its weights are present; the
# backend is named with the table) compares deep features, lower is closer; PSNR and SSIM
# compare pixels and structure, higher is closer.
#
# **Temporal coherence: E_warp and flicker.** E_warp (Lai et al. 2018) brings each output
# frame back onto the previous one along the optical flow of the *source* video and takes
# the mean squared difference over non-occluded pixels: lower means the output moves the way
# the source does (here, with the camera). Flicker is the mean absolute change of the frame-mean colour between
# consecutive frames: a frame-by-frame model that picks a slightly different colour per
# frame flickers even where E_warp cannot see it.
#
# ## The style judge

# %%
held_out = load_v2v_dataset("city", cfg.data, seed=1)  # an independent copy: unseen frames
judge = fit_style_judge(held_out.x_test, held_out.y_test, data.zbar,
                        steps=CLASSIFIER_STEPS[cfg.profile], seed=0)
evaluate = dataset_evaluator(data, judge)
reference = reference_rows(data, evaluate)
print(f"domain classifier: {judge.describe()}")
table(summary_rows([], reference))

# %% [markdown]
# The reference rows: the twin (what a perfect translation would score), the source left
# untranslated (what doing nothing scores) and real target-domain videos of other towns in
# place of the output (the right style with the wrong content).
#
# ## Training every method with every seed
#
# Run directories (checkpoints, TensorBoard logs, `history.json`) go under the build folder.

# %% tags=["nbval-ignore-output"]
runs = results_dir(cfg.profile).parent / "runs" / "v2v"
experiment = run_style_experiment(cfg, data, data.x_test, evaluate, runs, dataset="city")
for method in ("rlv2v", "recycle", "cyclegan"):
    seconds = [r["train_s"] for r in experiment.rows if r["method"] == method]
    print(f"{method:9s} training time per seed: {sum(seconds) / len(seconds):.1f} s")

# %% [markdown]
# ## Results
#
# Mean ± standard deviation over the seeds on the held-out test videos (higher is better
# for edge_ssim, target_share, psnr and ssim; lower for colour_fd, perceptual,
# ewarp and flicker).

# %%
summary = aggregate_seeds(experiment.rows, keys=["method"])
backends = {**metric_backends(), "domain_classifier": judge.describe()}
print(f"profile {cfg.profile}; seeds {list(cfg.seeds)}; perceptual: {backends['perceptual']}; "
      f"flow (E_warp): {backends['flow']}")
table(summary_rows(summary, reference))

# %%
path = write_table("city", table_rows("city", experiment.rows, reference), cfg, backends,
                   notes=f"per-seed rows; twin and identity are reference rows (twin PSNR is "
                         f"infinite, left out); iterations share {share:g} of the profile's")

# %% [markdown]
# What the numbers say (computed from the table above, not written by hand):

# %%
for line in comparison_sentences(summary):
    print(line)

# %% [markdown]
# ## Samples, laid out like the paper's Table 4
#
# The training domains, then one test video: source, twin and each method's output (first
# seed).

# %%
outputs = {m: experiment.outputs[m][cfg.seeds[0]][0] for m in METHOD_ORDER}
fig = frame_grid({"X": data.x[1], "Y": data.y[1], "Z": data.z[1], "Z̄": data.zbar[T:2 * T],
                  "source": data.x_test[0], "twin": data.x_test_twin[0], **outputs})
plt.show()

# %%
show_video([data.x_test[0], data.x_test_twin[0], *outputs.values()],
           titles=["source", "twin", *outputs], fps=4)

# %% [markdown]
# ## A long video, translated in windows
#
# The translators are trained on videos of T frames. A video of any length is translated
# by sliding over it in windows of T frames, carrying every ConvLSTM's hidden and cell
# state from one window into the next (`rlvid.train.evaluate_v2v.translate_video`, which
# `rlvid translate` uses). In evaluation mode the normalisation uses its running
# statistics, so the windowed translation is the same computation as one pass over the
# whole video: a boundary between windows is a frame pair like any other.
#
# Below, the first seed's RL-V2V-GAN translator runs over a 200-frame daytime city aerial.
# E_warp is measured for every consecutive frame pair (flows from the source), separately
# for the pairs that cross a window boundary and for those inside a window. For contrast,
# the same video translated with a fresh state in every window shows what a seam is.

# %%
long_frames = 200
long_video, long_twin = long_city_video(cfg.data.size, long_frames, seed=0)
net, meta = load_translator(experiment.model_path("rlv2v", cfg.seeds[0]))
seams = window_seams(net, long_video, window=T)
gap = seams["max_diff_carried_vs_single_pass"]
print(f"{seams['frames']} frames in windows of {seams['window']}; largest difference between "
      f"the windowed and the one-pass translation: {'below 1e-5' if gap < 1e-5 else gap}")
print(f"{'E_warp x 1e3':28s} {'boundary pairs':>15s} {'within windows':>15s}")
for name, label in (("carried", "windows, state carried"), ("reset", "windows, state reset"),
                    ("source", "source video itself")):
    print(f"{label:28s} {seams[name + '_ewarp_boundary'] * 1e3:15.3f} "
          f"{seams[name + '_ewarp_within'] * 1e3:15.3f}")

# %% tags=["nbval-ignore-output"]
print(f"translation speed on this machine ({torch.get_num_threads()} CPU threads): "
      f"{seams['fps']:.0f} frames per second at {cfg.data.size}x{cfg.data.size}")

# %%
fig, ax = plt.subplots(figsize=(9, 3))
pairs = range(1, long_frames)
ax.plot(pairs, seams["reset_pairs"] * 1e3,
        lw=0.8, color="tab:red", label="state reset per window")
ax.plot(pairs, seams["carried_pairs"] * 1e3, lw=1.2, color="tab:blue",
        label="state carried (translate)")
for boundary in range(T, long_frames, T):
    ax.axvline(boundary, color="grey", lw=0.3)
ax.set_xlabel("frame t (pair t-1, t); grey lines: window boundaries")
ax.set_ylabel("E_warp x 1e3")
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Frames around the first window boundaries (source, night twin, the windowed translation
# with carried state, and with the state reset), then the first 48 frames as an animation.

# %%
around = slice(T - 3, T + 3)
fig = frame_grid({"source": long_video[around], "twin": long_twin[around],
                  "carried": seams["videos"]["carried"][around],
                  "reset": seams["videos"]["reset"][around]},
                 titles=[f"t={t}" for t in range(T - 3, T + 3)])
plt.show()

# %%
show_video([long_video[:48], seams["videos"]["carried"][:48], seams["videos"]["reset"][:48]],
           titles=["source", "state carried", "state reset"], fps=8)
