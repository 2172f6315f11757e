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
# # ROVR: the local network and Table 1
#
# ROVR (Prasad, Tandon, Vikram) splits video inpainting into two tasks per frame: a policy
# picks two conditioning frames, and a *local network* $\Gamma$, a UNet over the stacked
# target and the two conditioning frames (9 channels), reconstructs the target (§5.2.3).
# Before any reinforcement learning, $\Gamma$ is pretrained on **random** conditioning
# pairs (§6.1) with
#
# $$\mathcal{L}_R = \lambda\,\mathcal{L}_P + (1-\lambda)\,\mathrm{MSE},$$
#
# $\lambda$ growing from 0 to 0.9. Table 1 of the paper then shows that $\Gamma$ is a usable
# judge of conditioning frames: its error is lowest with the best pair, highest with the
# worst. This page re-runs that check on our masked-video task (four boxes per
# frame, a handful of valid pairs per target).
#
# **What the paper claims here** (§7.1, Table 1). The pretrained local network reconstructs
# best with the best conditioning frames and worst with the worst: MSE per frame 16,933 ±
# 1,594 (best) < 19,827 ± 1,655 (random) < 20,406 ± 1,257 (worst), on an unstated scale.
# The ratios to random, 0.854 and 1.029, are what our numbers can be compared with.
#
# Choices we made (all on the {doc}`ROVR errata page <../../book/errata/rovr>`): $\Gamma$ pastes the known pixels of the
# target back over its output, so only hidden pixels are generated; $\mathcal{L}_P$ is the
# VGG16 feature distance of eq. (1) with unit layer weights $w_l$; $\lambda_i =
# 0.9\,(1-e^{-5i/N})$.

# %% tags=["parameters"]
from typing import Optional

# ruff: noqa: UP045 -- papermill --help-notebook reads Optional[...], not X | None
profile: str = "cpu"  # smoke | cpu | paper
seeds: Optional[list] = None  # training seeds, e.g. [0, 1, 2]; None: the profile's
backend: str = "process"  # seeds in parallel processes ("process") or here in order ("serial")

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import numpy as np
import torch

from rlvid.book.display import html_table
from rlvid.book.figures import lambda_schedule_plot, stage_curves, table1_figure
from rlvid.book.findings import show_answer
from rlvid.book.html_blocks import show_claims, show_definitions
from rlvid.book.report import seed_order_table
from rlvid.book.viz import frame_grid, show_video
from rlvid.claims.judge import evaluate_claims
from rlvid.config import load_config
from rlvid.metrics import metric_backends
from rlvid.results import results_dir, write_table
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.losses import lambda_schedule, vgg_model
from rlvid.rovr.methods import RANDOM
from rlvid.rovr.paper import PAPER_TABLE1
from rlvid.rovr.runs import stage_dir
from rlvid.rovr.table1 import fill_comparison, table1_summary
from rlvid.rovr.tables import table1

cfg = load_config(profile, {"seeds": seeds})
if cfg.torch_threads:
    torch.set_num_threads(cfg.torch_threads)
backends = {**metric_backends(), "vgg16 (L_P, eq. 1)": vgg_model()[1]}
test = masked_set(cfg, "test")
n, t = test.videos.shape[:2]
print(f"profile {cfg.profile}, seeds {list(cfg.seeds)}: {n} test videos of {t} frames, "
      f"{test.videos.shape[-1]}x{test.videos.shape[-1]} px; Γ '{cfg.rovr.local_net}', "
      f"channels {cfg.rovr.unet_channels}, {cfg.rovr.local.iterations} iterations of batch "
      f"{cfg.rovr.local.batch_size}, {cfg.rovr.local.valid_share:.0%} of them on valid pairs")
show_definitions(backends, caption="Metric backends")

# %% [markdown]
# **The answer on this data**, as the committed `cpu` run judged it (this page's own run is
# judged further down, with its evidence):

# %% tags=["hide-input"]
show_answer(("rovr_table1",))

# %% [markdown]
# ## Two local networks
#
# The paper's $\Gamma$ stacks the corrupted target and the two conditioning frames (9
# channels) and must find by itself which pixels are holes and where the conditioning
# frames can fill them. Our second $\Gamma$ (`local_net: masked_residual`, errata
# "Γ: masks and a residual over the copy") is given that: it pastes the conditioning
# frames' visible pixels into the target's holes (their mean where both see a pixel), takes
# the three masks as extra channels, and learns only a *correction* of that copy. Both are
# trained and scored below; the one named by the profile gives the rows `best`, `random`,
# `worst`, the other one the row `best (<kind> Γ)`.
#
# The test videos are a static texture crossed by two or three small objects moving 3 to 5
# pixels per frame: copying a hidden pixel from another frame is exact on the
# background, wrong where an object was or is.

# %% [markdown]
# ## The weight schedule
#
# The paper grows $\lambda$ "exponentially from 0 to 0.9"; the authors' code uses
# $1 - g$ with $g = 0.1 + 0.9\cdot 0.9993^i$, a saturating exponential. We use the same
# shape scaled to the run length. At `cpu`, $\lambda$ stays 0 (`local.perceptual: False`):
# VGG16's $\mathcal{L}_P$ costs about 95% of a step at 32x32 ({doc}`errata <../../book/errata/rovr>`).
#
# **Figure 1.** The weight $\lambda$ of the perceptual term in $\mathcal{L}_R$ over
# $\Gamma$'s pretraining at this profile.

# %% tags=["hide-input"]
steps = np.arange(cfg.rovr.local.iterations + 1)
lambda_schedule_plot(steps, [lambda_schedule(int(i), cfg.rovr) * cfg.rovr.local.perceptual
                             for i in steps])
plt.show()

# %% [markdown]
# ## Pretraining and Table 1
#
# One $\Gamma$ of each kind per seed (reused from its run directory when it already
# exists). Each is evaluated on every (test video, target frame) with conditioning frames
# taken from the corrupted video: the **best** pair (highest share of the target's hidden
# pixels visible in one of the two; the nearest in time among those), the **worst** pair, and a **random** pair. Beside them,
# fills that learn nothing (one row each, seed "-"): **copy-best-pair** (the best pair's
# visible pixels pasted into the holes, the frame nearer in time first), **OpenCV Telea**
# (each frame alone) and **copy-nearest-visible**, all three *baselines* (simple methods
# that inpaint: competitors, never a veto); and the *trivial* **mean fill** and
# **unfilled** input, which do not inpaint and set the floor a claim's winner must beat.

# %% tags=["nbval-ignore-output"]
rows, _ = table1(cfg, progress=True, backend=backend)

# %% tags=["hide-input"]
path = write_table("rovr_table1", rows, cfg, backends,
                   notes="ROVR Table 1: the pretrained local net with best/random/worst "
                         "conditioning pairs, per seed; the other local net with the best "
                         "pair; reference fills (seed '-'). hidden_mse: MSE over every "
                         "hidden pixel and channel of the test videos; mse, psnr, ssim, "
                         "perceptual (ST-LPIPS), vgg_lp: per frame, averaged; psnr from the "
                         "pooled hidden MSE.")

# %% [markdown]
# **Table 1.** Mean over seeds (± standard deviation over seeds) of each metric; the
# reference rows are deterministic. `hidden_mse` is the error on the hidden pixels alone
# ($[0, 1]$ units); the whole-frame metrics also count the visible pixels, which every row
# keeps exactly. The paper's MSE figures (16,933 etc.) are on an unstated scale: only their
# ratios to random (0.854 and 1.029) compare with ours (Figure 2).

# %% tags=["hide-input"]
summary = table1_summary(rows)
html_table([r for r in summary if r["kind"] == "trained"],
           reference_rows=[r for r in summary if r["kind"] != "trained"],
           reference_label="reference fills (not trained)",
           caption="Table 1: local networks and reference fills",
           columns={"conditioning": "conditioning", "kind": "kind",
                    "hidden_mse": "hidden-pixel MSE ↓", "psnr": "PSNR ↑", "ssim": "SSIM ↑",
                    "perceptual": "ST-LPIPS ↓", "seeds": "seeds"},
           best={"hidden_mse": "min", "psnr": "max", "ssim": "max", "perceptual": "min"},
           notes="kind: baseline = a simple method that inpaints; trivial = no inpainting")

# %% [markdown]
# **Figure 2.** $\Gamma$'s hidden-pixel MSE (Table 1's number) with each conditioning pair (left) and its ratio to the MSE
# with random pairs (right): grey dots are seeds, the blue point the mean with its 95%
# confidence interval (Student t over seeds), red crosses the paper's ratios. Look for best
# left of 1 and worst right of it, as the paper's crosses are.

# %% tags=["hide-input"]
table1_figure(rows, {k: v / PAPER_TABLE1[RANDOM.name][0] for k, (v, _) in PAPER_TABLE1.items()})
plt.show()

# %% [markdown]
# ### Verdict
#
# With the best pair every hidden pixel of the target is visible in one of the
# conditioning frames, so a $\Gamma$ that has learned to copy from them reconstructs the
# holes well; with the worst pair it sees few of them and must guess from the
# surroundings. The claims, judged on this run's table by `rlvid.claims.judge` (paired by seed):

# %% tags=["hide-input"]
seed_order_table(rows)

# %% tags=["hide-input"]
show_claims(evaluate_claims(results_dir(cfg.profile), only=["rovr_table1"]))

# %% [markdown]
# ## How pretraining went
#
# **Figure 3.** $\Gamma$'s pretraining curves for every seed, from its TensorBoard log: the
# loss $\mathcal{L}_R$ and its MSE term (per pixel, [0, 1] units), smoothed over a few
# logged points.

# %% tags=["hide-input"]
stage_curves({f"seed {s}": stage_dir(cfg, s, "local") for s in cfg.seeds},
             {"local/L_R": "L_R (training batch)", "local/mse": "MSE per pixel (training batch)"},
             smooth=5)
plt.show()

# %% [markdown]
# ## What each fill produces
#
# **Figure 4.** One held-out video, seed 0's local networks given the best pair, and the
# four reference fills, frame by frame: look inside the black boxes of the first row, and
# at the moving objects. The animation plays them.

# %%
fills = fill_comparison(cfg, cfg.seeds[0])

# %% tags=["hide-input"]
frame_grid(fills, max_frames=6)
plt.show()

# %% tags=["hide-input", "nbval-ignore-output"]
show_video(list(fills.values()), titles=list(fills), fps=4)
