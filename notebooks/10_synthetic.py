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
# # RL-V2V-GAN on the synthetic shapes
#
# The paper's first experiment (§6.1, Figure 1, Table 2): translate videos of colourful
# rectangles on black (X) into the target domain Y, circles on a background that is blue in
# the first half of a video and red in the second. A frame-by-frame translator cannot know
# where in the video a frame sits, so it cannot get the background right: that is the
# paper's argument for recurrent generators. Every test video has a *twin*, the same
# motion rendered in the target domain, so the outputs can be scored.
#
# Methods, all trained here on the same data in the same harness (`rlvid.train.v2v.fit`):
# RL-V2V-GAN (GAN pretraining, then Algorithm 1), RL-V2V-GAN without the DDPG phase
# (its pretrained weights), Recycle-GAN and a frame-based CycleGAN. The paper reports no
# numbers for this dataset, only frames, so there is no paper number to set beside ours.

# %% tags=["parameters"]
from typing import Optional

# ruff: noqa: UP045 -- papermill --help-notebook reads Optional[...], not X | None
profile: str = "cpu"  # smoke | cpu | paper
seeds: Optional[list] = None  # training seeds, e.g. [0, 1, 2]; None: the profile's

# %%
import matplotlib.pyplot as plt
import torch

from rlvid.config import load_config
from rlvid.data import load_v2v_dataset
from rlvid.metrics import metric_backends
from rlvid.nn import count_parameters, format_table1, table1
from rlvid.results import aggregate_seeds, results_dir, write_table
from rlvid.train.evaluate_v2v import comparison_sentences, reference_rows, run_experiment
from rlvid.train.v2v import TrainingData, make_method
from rlvid.viz import frame_grid, show_video

cfg = load_config(profile, {"seeds": seeds})
torch.set_num_threads(cfg.torch_threads or 1)
print(f"profile {cfg.profile}, seeds {list(cfg.seeds)}, frames {cfg.data.size}x{cfg.data.size}, "
      f"T = {cfg.data.video_len}, pretraining {cfg.v2v.pretrain_iterations} steps, "
      f"Algorithm 1 {cfg.v2v.rl_iterations} videos")

# %% [markdown]
# ## Table 1, read off the code
#
# Encoder, decoder, final function and parameter count of every network. The Q-networks'
# final function is `-ReLU` by default (the paper's ReLU cannot output the negative
# returns its own rewards produce; see the errata page), and the paper's ReLU is one
# option away (`-p v2v.q_output relu`).

# %%
print(format_table1(table1(cfg.v2v, cfg.data.size)))
data = load_v2v_dataset("synthetic", cfg.data, seed=0)
train = TrainingData.from_dataset(data, torch.device("cpu"))
for name in ("recycle", "cyclegan"):
    nets = make_method(name, cfg, train, torch.device("cpu")).nets
    print(f"{name:9s}", ", ".join(f"{k} {count_parameters(m):,}" for k, m in nets.items()))

# %% [markdown]
# The frame-based baselines use the same encoder-decoder with per-frame convolutions in
# place of ConvLSTMs, widened so their translator G_A has about as many parameters as
# RL-V2V-GAN's Gy.
#
# ## The data

# %%
print({k: tuple(v.shape) for k, v in
       [("x", data.x), ("y", data.y), ("z", data.z), ("zbar", data.zbar), ("x_test", data.x_test)]})
fig = frame_grid({"x (source)": data.x[0], "y (target)": data.y[0], "z": data.z[0],
                  "zbar (images)": data.zbar[:cfg.data.video_len]})
plt.show()

# %% [markdown]
# ## Training every method with every seed
#
# Run directories (checkpoints, TensorBoard logs, `history.json`) go under the build folder.

# %% tags=["nbval-ignore-output"]
runs = results_dir(cfg.profile).parent / "runs" / "v2v"
experiment = run_experiment(cfg, data, runs)
for method in ("rlv2v", "recycle", "cyclegan"):
    seconds = [r["train_s"] for r in experiment["rows"] if r["method"] == method]
    print(f"{method:9s} training time per seed: {sum(seconds) / len(seconds):.1f} s")

# %% [markdown]
# ## Training curves (first seed)

# %%
h = experiment["histories"]
fig, axes = plt.subplots(1, 4, figsize=(15, 3))
pre = [e for e in h["rlv2v"] if e["phase"] == "pretrain"]
rl = [e for e in h["rlv2v"] if e["phase"] == "rl"]
axes[0].plot([e["step"] for e in pre], [e["loss_gp"] for e in pre], label="G, P: L (10)")
axes[0].plot([e["step"] for e in pre], [e["loss_d"] for e in pre], label="D: -L")
axes[0].set_title("RL-V2V-GAN pretraining")
axes[1].plot([e["step"] for e in rl], [e["reward"] for e in rl], label="mean reward")
axes[1].plot([e["step"] for e in rl], [e["q_mean"] for e in rl], label="mean Q")
axes[1].set_title("Algorithm 1")
axes[2].plot([e["step"] for e in rl], [e["loss_q"] for e in rl], label="critic L_Q")
axes[2].plot([e["step"] for e in rl], [e["buffer_size"] for e in rl], label="buffer size")
axes[2].set_title("Algorithm 1")
for name in ("recycle", "cyclegan"):
    axes[3].plot([e["step"] for e in h[name]], [e["loss_g"] for e in h[name]], label=f"{name} G")
axes[3].set_title("baselines")
for ax in axes:
    ax.set_xlabel("step")
    ax.legend(fontsize=7)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Results
#
# Mean ± standard deviation over the seeds, on the held-out test videos. `bg_acc`: share of
# frames whose background has the twin's colour (Figure 1 test); `iou`: foreground shape
# against the twin's; PSNR and SSIM against the twin; `ewarp`: flow warping error of the
# output (lower is steadier; the twin itself scores high because its background switches
# colour mid-video). The twin and the untranslated source are reference rows.

# %%
rows = experiment["rows"]
summary = aggregate_seeds([{k: v for k, v in r.items() if k != "bg_acc_t"} for r in rows],
                          keys=["method"])
reference = reference_rows(data)
backends = metric_backends()
metrics = ["bg_acc", "bg_acc_first_half", "bg_acc_second_half", "iou", "psnr", "ssim", "ewarp"]
print(f"profile {cfg.profile}; seeds {list(cfg.seeds)}; flow backend (E_warp): {backends['flow']}")
scale = {m: 1000.0 if m == "ewarp" else 1.0 for m in metrics}  # E_warp shown x 1000
print(f"{'method':20s} " + " ".join(f"{m + (' x1e3' if m == 'ewarp' else ''):>19s}"
                                     for m in metrics))
for r in summary:
    print(f"{r['method']:20s} " + " ".join(
        f"{r[m + '_mean'] * scale[m]:9.3f} ± {r[m + '_std'] * scale[m]:6.3f}".rjust(19)
        for m in metrics))
for r in reference:
    print(f"{r['method']:20s} " + " ".join(f"{r[m] * scale[m]:19.3f}" for m in metrics))
table_rows = ([{"dataset": "synthetic", **{k: v for k, v in r.items() if k != "bg_acc_t"}}
               for r in rows]
              + [{"dataset": "synthetic", "seed": "-", **{k: v for k, v in r.items()
                                                        if k != "bg_acc_t" and k != "psnr"}}
                 for r in reference])
path = write_table("synthetic", table_rows, cfg, backends,
                   notes="per-seed rows; twin/identity are reference rows (twin PSNR is infinite)")

# %% [markdown]
# What the numbers say (computed from the table above, not written by hand):

# %%
for line in comparison_sentences(summary):
    print(line)

# %% [markdown]
# ## Background colour by frame position
#
# The Figure 1 test: the target is blue in the first half and red in the second. A
# frame-based method sees no frame position and can at best get one half right.

# %%
fig, ax = plt.subplots(figsize=(6, 3))
for method in ("rlv2v", "pretrain_only", "recycle", "cyclegan"):
    per_t = torch.tensor([r["bg_acc_t"] for r in rows if r["method"] == method]).mean(dim=0)
    ax.plot(range(1, len(per_t) + 1), per_t, marker="o", label=method)
ax.set_xlabel("frame")
ax.set_ylabel("background accuracy")
ax.set_ylim(-0.05, 1.05)
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# ## Figure 1 analogue
#
# One test video: source, twin (the target ground truth) and each method's output
# (first seed).

# %%
out = experiment["outputs"]
strip = {"source": data.x_test[0], "twin": data.x_test_twin[0],
         **{m: out[m][0] for m in ("rlv2v", "pretrain_only", "recycle", "cyclegan")}}
fig = frame_grid(strip)
plt.show()

# %%
show_video(list(strip.values()), titles=list(strip), fps=4)
