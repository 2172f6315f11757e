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
# # Results against the papers
#
# Every claim the kit tests, in one place. For each one: where the paper makes it, the
# paper's own number (or how it shows the claim), our number with its profile, and a
# verdict computed from the result tables by `rlvid.claims` (nothing on this page is typed
# in by hand except the paper's side):
#
# - **reproduced**: our numbers show the claimed effect, by more than the seed-to-seed
#   spread;
# - **not reproduced**: they do not (reversed, or within the spread);
# - **not comparable**: the claim cannot be tested here, and the reason says why;
# - **no result**: the table it needs has not been produced.
#
# Read it with the {doc}`../../book/errata` page at hand. The data are procedural stand-ins,
# the metrics use offline backends (ST-LPIPS, OpenCV DIS), and the `cpu` profile trains small
# networks briefly. So "not reproduced" means "not reproduced at this scale, on this data".
# The paper's absolute numbers (ROVR's MSE in the tens of thousands, for instance) are on
# another scale and are shown for reference, never as a target.

# %% tags=["parameters"]
profile: str = "cpu"  # smoke | cpu | paper

# %% tags=["hide-input"]
import matplotlib.pyplot as plt

from rlvid.blocks import show_claims, verdict_counts
from rlvid.claims import evaluate_claims
from rlvid.config import load_config
from rlvid.display import show_table
from rlvid.figures import verdict_bars
from rlvid.paths import reference_path, results_dir

cfg = load_config(profile)
reference_dir = reference_path("x", "cpu").parent
fresh_dir = results_dir(cfg.profile)
print(f"committed reference: results/cpu/ ({len(list(reference_dir.glob('*.json')))} tables); "
      f"this build: profile {cfg.profile}")

# %% [markdown]
# ## The committed reference results (`cpu` profile, 3 seeds)
#
# These come from `results/cpu/`, which the `cpu` notebooks write and which is committed
# with its provenance (commit, package versions, device, metric backends). `rlvid compare`
# checks a fresh run against them.

# %%
reference = evaluate_claims(reference_dir)

# %% [markdown]
# **Figure 1.** How many of each paper's claims were reproduced, not reproduced or could
# not be tested here, on the committed `cpu` results. Each claim has its card below.

# %% tags=["hide-input"]
verdict_bars(reference)
plt.show()

# %% [markdown]
# One card per claim: where the paper makes it, what it says, the paper's number (or how it
# shows the claim), our number, and why the verdict is what it is.

# %% tags=["hide-input"]
verdict_counts(reference)

# %% tags=["hide-input"]
show_claims(reference)

# %% [markdown]
# ## This build's own run
#
# The same claims judged on the tables that the notebooks in this build just wrote. At the
# `cpu` profile they match the reference above. At `smoke` (CI) the networks barely train,
# so these verdicts only show that the pipeline runs end to end.

# %%
fresh = evaluate_claims(fresh_dir)

# %% tags=["hide-input"]
by_claim = {(r["paper"], r["where"], r["claim"]): r["verdict"] for r in reference}
show_table([{"claim": f"{r['paper']} · {r['where']}", "profile": r["profile"],
             "verdict": r["verdict"],
             "reference verdict (cpu)": by_claim.get((r["paper"], r["where"], r["claim"]), "–")}
            for r in fresh],
           caption=f"Verdicts on this build's tables (profile {cfg.profile})",
           notes="our numbers for each claim are in the notebook that wrote its table")
verdict_counts(fresh)
