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
# # ROVR: a pair-aware policy, imitation, PPG at scale, and Table 2 in two Γ regimes
#
# The full ROVR loop (§5.1, §6.3): at step $t$ the policy $\pi$ sees the tiled current
# video (frames before $t$ already reconstructed, later ones still corrupted) and picks two
# conditioning frames; the local network $\Gamma$ reconstructs frame $t$; the reward is the
# perceptual improvement $\mathcal{L}_P(\bar x_t, x_t) - \mathcal{L}_P(\hat x_t, x_t)$, and
# at the end of the video the flow recovery $\mathcal{O}$ (eq. 3) times a coefficient.
#
# What this page adds to the paper's recipe, each on the {doc}`ROVR errata page <../../book/errata/rovr>`:
#
# - **a pair-aware action**: $\pi(i, j) = \pi_1(i)\,\pi_2(j \mid i)$, first frame then
#   second, with an exact log-probability; the paper's per-frame top-2 (§5.2) stays as the
#   paper's variant and is measured beside it;
# - the state's tiles carry each frame's **mask** as a fourth channel;
# - **PPG at scale**: 64 videos stepped together per $\Gamma$ call, the clean frames'
#   perceptual features and flows computed once; at least 20,000 transitions per run;
# - **two $\Gamma$ regimes** in Table 2: *tuned* ($\Gamma$ fine-tuned during PPG, §6.3, and
#   every selector scored with that same $\Gamma$) and *frozen* (every selector with the
#   pretrained $\Gamma$), which separates the policy's effect from $\Gamma$'s fine-tuning.

# %% [markdown]
# **What the paper claims here** (§7.2, §7.3, §8, Table 2 and the poster):
#
# - the optical-flow reward raises flow recovery (warm start: $\mathcal{O}$ 0.627 with it,
#   0.434 without);
# - the imitation warm start helps (flow reward: $\mathcal{O}$ 0.627 warm, 0.598 cold);
# - ROVR beats sequential $(t-1, t-2)$ conditioning, the vid2vid baseline, on flow
#   recovery (0.627 vs 0.478) and on perceptual loss (18,681 vs 19,147);
# - after imitation learning alone the policy is marginally better than random frames.

# %% tags=["parameters"]
from typing import Optional

# ruff: noqa: UP045 -- papermill --help-notebook reads Optional[...], not X | None
profile: str = "cpu"  # smoke | cpu | paper
seeds: Optional[list] = None  # training seeds, e.g. [0, 1, 2]; None: the profile's
backend: str = "process"  # seeds in parallel processes ("process") or here in order ("serial")

# %% tags=["hide-input"]
import matplotlib.pyplot as plt
import torch

from rlvid.book.display import show_table
from rlvid.book.figures import choice_maps, history_figure, regimes_figure
from rlvid.book.findings import show_answer
from rlvid.book.html_blocks import show_claims, show_definitions
from rlvid.book.names import display_name
from rlvid.book.pages.rovr import choice_heatmap
from rlvid.book.viz import metric_label
from rlvid.claims.judge import evaluate_claims
from rlvid.config import load_config
from rlvid.metrics import metric_backends
from rlvid.results import aggregate_seeds, results_dir, write_table
from rlvid.rovr.dataset import masked_set
from rlvid.rovr.methods import (
    FROZEN,
    IMITATION_BCE,
    IMITATION_PAIR,
    ORACLE,
    OURS,
    PPG_RUNS,
    RANDOM,
    ROVR_FLOW_COLD,
    ROVR_FLOW_WARM,
    ROVR_NOFLOW_WARM,
    SEQUENTIAL,
)
from rlvid.rovr.table2 import (
    METRICS,
    action_ceilings,
    action_rates,
    key,
    paper_beside,
    table2_rows,
    table2_seeds,
)
from rlvid.rovr.tables import flow_separation, separation_summary

cfg = load_config(profile, {"seeds": seeds})
if cfg.torch_threads:
    torch.set_num_threads(cfg.torch_threads)
rc = cfg.rovr
backends = {**metric_backends(), "reward": f"{rc.reward_net} perceptual distance"}
test, train = masked_set(cfg, "test"), masked_set(cfg, "train")
transitions = rc.ppg.phases * rc.ppg.policy_iterations * rc.ppg.rollout_videos * train.videos.shape[1]
print(f"profile {cfg.profile}, seeds {list(cfg.seeds)}; action {rc.action}; PPG: "
      f"{rc.ppg.phases} phases x {rc.ppg.policy_iterations} rollouts of "
      f"{rc.ppg.rollout_videos} videos = {transitions} transitions per run; "
      f"flow reward coefficient {rc.ppg.flow_reward_coef}")
show_definitions(backends, caption="Metric backends")

# %% [markdown]
# **The answer on this data**, as the committed `cpu` run judged it (this page's own run is
# judged further down, with its evidence):

# %% tags=["hide-input"]
show_answer(("rovr_table2", "rovr_scaling"))

# %% [markdown]
# ## Can the flow reward tell selectors apart? (before any policy is trained)
#
# $\mathcal{O}$ of the oracle's best pair, sequential $(t-1, t-2)$ and random pairs, each
# driving the MDP with the seed's pretrained $\Gamma$ on the held-out videos
# (`rlvid.rovr.tables.flow_separation`, from the Table 1 page's $\Gamma$). A flow reward can
# only teach a policy what $\mathcal{O}$ separates: the gaps below are over seeds.

# %% tags=["nbval-ignore-output"]
separation = flow_separation(cfg, progress=True, backend=backend)

# %% tags=["hide-input"]
show_table(separation_summary(separation),
           caption="Flow recovery 𝒪 on the pretrained Γ: gap between selectors vs seed spread")

# %% [markdown]
# ## What each action form can express, before any training
#
# A pair is *valid* for a target when every pixel hidden in the target is visible in one of
# the two frames (`rlvid.data.masked`). The paper's action ranks frames one by one and takes
# the top two. With the best score a frame has on its own (the share of the target's holes
# it shows) that picks a valid pair for only a fraction of targets; ranking frames by how
# many valid pairs they are in does better, but that score already needs pairs. A
# pair-aware action can name any pair, so its ceiling is the share of targets that have a
# valid pair at all.

# %% tags=["hide-input"]
ceilings = {split: action_ceilings(data) for split, data in (("train", train), ("test", test))}
show_table([{"action form": name, "train": ceilings["train"][name],
             "test": ceilings["test"][name]} for name in ceilings["train"]],
           caption="Best valid-pair rate each action form can express on this data")

# %% [markdown]
# ## Training every stage for every seed
#
# Per seed: $\Gamma$ (reused from the Table 1 page), imitation of the oracle's states with
# the paper's BCE on the per-frame top-2 policy and with the pair ranking loss on the
# pair-aware policy (the probability mass on valid pairs, §8's proposal), and three PPG
# runs of the pair-aware policy.

# %% tags=["nbval-ignore-output"]
seed_runs = table2_seeds(cfg, progress=True, backend=backend)
rows = table2_rows(cfg, seed_runs)

# %% tags=["hide-input"]
path = write_table("rovr_table2", rows, cfg, backends,
                   notes="ROVR Table 2: per-seed rows keyed policy:regime; 'tuned' = every "
                         "selector with the flow+warm PPG run's fine-tuned Γ, 'frozen' = "
                         "with the pretrained Γ. train_s/updates/flops: the policy's own "
                         "training (imitation + PPG), Γ's pretraining excluded; psnr from "
                         "the mean MSE.")

# %% [markdown]
# ## Valid pairs: ceiling and achieved
#
# Greedy valid-pair rate on the oracle's states (train and held-out videos), mean over
# seeds, beside the ceiling of the policy's action form and a random pair. The untrained
# pair-aware policy shows how much comes from its form alone (it reads the masks through
# pooled cell products) rather than from learning.

# %% tags=["hide-input"]
show_table(action_rates(seed_runs, ceilings),
           columns={"policy": "policy", "action": "action", "ceiling_train": "ceiling, train",
                    "achieved_train": "achieved, train", "ceiling_test": "ceiling, held out",
                    "achieved_test": "achieved, held out", RANDOM.name: "random pair"},
           caption="Valid-pair rate: ceiling of the action form vs achieved (greedy)")

# %% [markdown]
# **Figure 1.** Imitation loss per step, first seed: the paper's BCE on the per-frame
# policy (§6.2) and the pair ranking loss ($-\log$ of the mass on valid pairs) on the
# pair-aware policy.

# %% tags=["hide-input"]
first = seed_runs[cfg.seeds[0]]
history_figure({"BCE, top-2 (paper)": first.curves[IMITATION_BCE.name]}, {"bce": "BCE loss"},
               "imitation", smooth=10)
history_figure({"ranking, pair-aware": first.curves[IMITATION_PAIR.name]},
               {"contrastive": "-log P(valid pair)"}, "imitation", smooth=10)
plt.show()

# %% [markdown]
# **Figure 2.** PPG, first seed: episode return and flow recovery of the rollouts per
# policy iteration, for the three runs.

# %% tags=["hide-input"]
history_figure({display_name(n): first.curves[n] for n in PPG_RUNS},
               {"episode_return": "episode return", "flow_recovery": "flow recovery 𝒪",
                "local_L_R": "Γ's L_R"}, "policy")
plt.show()

# %% [markdown]
# ## Table 2 in both Γ regimes
#
# **Figure 3.** Flow recovery $\mathcal{O}$ (higher is better) and perceptual distance
# (lower is better) per selector: blue with the fine-tuned $\Gamma$ (the paper's regime),
# orange with the pretrained $\Gamma$; grey dots are seeds, bars 95% t-intervals. A
# policy's effect is what survives in the orange points.

# %% tags=["hide-input"]
shown = [m.name for m in (ORACLE, ROVR_FLOW_WARM, ROVR_NOFLOW_WARM, ROVR_FLOW_COLD,
                          IMITATION_PAIR, IMITATION_BCE, SEQUENTIAL, RANDOM)]
regimes_figure(rows, {n: display_name(n) for n in shown},
               {m: metric_label(m) for m in ("flow_recovery", "perceptual")})
plt.show()

# %% tags=["hide-input"]
summary = aggregate_seeds([r for r in rows if isinstance(r["seed"], int)], ["policy"])
show_table([{"policy": display_name(r["policy"]), **{m: r[f"{m}_mean"] for m in METRICS}}
            for r in summary],
           reference_rows=[{"policy": display_name(r["policy"]), **{m: r.get(m) for m in METRICS}}
                           for r in rows if not isinstance(r["seed"], int)],
           columns={"policy": "policy", **{m: metric_label(m) for m in METRICS}},
           caption="Table 2, mean over seeds (policy, Γ regime)",
           notes="reference rows: copy-nearest-visible is a baseline (it inpaints, without "
                 "Γ or policy); the mean fill and the unfilled input are trivial")

# %% [markdown]
# The paper's own Table 2 (and the poster's flow recovery) beside our means. The paper's
# numbers stay here whatever ours are. Its perceptual loss is a sum over pixels with
# another network, so only the order of the rows can be compared, not the values; its O
# uses RAFT, ours OpenCV DIS.

# %% tags=["hide-input"]
show_table(paper_beside(rows), caption="The paper's Table 2 beside ours",
           notes="paper and poster: as printed; ours: mean over seeds, in each Γ regime")

# %% [markdown]
# ## Claims
#
# Each claim, paired by seed, judged by `rlvid.claims.judge` on this run's table; PPG arms must
# show that PPG moved the policy (relative weight change and updates), or the verdict is
# *not tested*.

# %% tags=["hide-input"]
show_claims(evaluate_claims(results_dir(cfg.profile), only=("rovr_table2",)))

# %% [markdown]
# ## Which frames each policy chose (the paper's Figure 3)
#
# **Figure 4.** Test video 0, first seed, pretrained $\Gamma$. Rows are steps (targets),
# columns frames; yellow = the target, green = the two conditioning frames.

# %% tags=["hide-input"]
choice_maps({display_name(n): choice_heatmap(first.pairs[key(n, FROZEN)][0])
             for n in (OURS, IMITATION_PAIR.name, IMITATION_BCE.name, SEQUENTIAL.name,
                       ORACLE.name)})
plt.show()
