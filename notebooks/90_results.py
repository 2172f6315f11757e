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

# %%
from collections import Counter

from IPython.display import display

from rlvid.claims import evaluate_claims
from rlvid.config import load_config
from rlvid.results import reference_path, results_dir
from rlvid.viz import table

cfg = load_config(profile)
reference_dir = reference_path("x", "cpu").parent
fresh_dir = results_dir(cfg.profile)
print(f"committed reference: results/cpu/ ({len(list(reference_dir.glob('*.json')))} tables)")
print(f"this build: profile {cfg.profile}")

# %% [markdown]
# ## The committed reference results (`cpu` profile, 3 seeds)
#
# These come from `results/cpu/`, which the `cpu` notebooks write and which is committed
# with its provenance (commit, package versions, device, metric backends). `rlvid compare`
# checks a fresh run against them.

# %%
reference = evaluate_claims(reference_dir)
display(table([{k: r[k] for k in ("paper", "where", "claim", "paper_value", "ours",
                                  "verdict", "reason")} for r in reference]))
print("verdicts:", dict(Counter(r["verdict"] for r in reference)))

# %% [markdown]
# ## This build's own run
#
# The same claims judged on the tables that the notebooks in this build just wrote. At the
# `cpu` profile they match the reference above. At `smoke` (CI) the networks barely train,
# so these verdicts only show that the pipeline runs end to end.

# %%
fresh = evaluate_claims(fresh_dir)
display(table([{k: r[k] for k in ("paper", "where", "ours", "profile", "verdict")}
               for r in fresh]))
print("verdicts:", dict(Counter(r["verdict"] for r in fresh)))
