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
# Every claim the kit tests, in one place, first as the committed `cpu` run judged it, then
# (folded, at the end) as this build's own run judged it. Each claim compares the method
# under test with its control on one metric, seed by seed; the **effect** is the mean paired
# difference, positive in the paper's direction, with its 95% confidence interval. How a
# verdict is reached is explained {ref}`below <how-a-verdict-is-reached>`. The data are
# procedural stand-ins, the metrics use offline backends (ST-LPIPS, OpenCV DIS), and the
# `cpu` profile trains small networks briefly: every verdict is "at this scale, on this
# data". Read it with the {doc}`../../book/errata` pages at hand.

# %% tags=["parameters"]
profile: str = "cpu"  # smoke | cpu | paper

# %% tags=["hide-input"]
import matplotlib.pyplot as plt

from rlvid.book.display import show_table
from rlvid.book.figures import forest_plot
from rlvid.book.findings import CLAIM_NOTES, claim_rows
from rlvid.book.html_blocks import show_claims, verdict_counts
from rlvid.claims.judge import evaluate_claims, load_claims, write_claims
from rlvid.config import load_config
from rlvid.paths import reference_path, results_dir

cfg = load_config(profile)
reference_dir = reference_path("x", "cpu").parent
fresh_dir = results_dir(cfg.profile)

# %% [markdown]
# ## The committed verdicts (`cpu` profile)
#
# `results/cpu/claims.json` is written by a full `cpu` run of the notebooks, from a clean
# commit that it records, and committed with the tables it was judged from. `rlvid compare`
# checks a fresh run against those tables.

# %% tags=["hide-input"]
reference_file = reference_dir / "claims.json"
if reference_file.is_file():
    reference = load_claims(reference_file)
    print(f"read {reference_file.name}: {len(reference)} claims, commit "
          f"{next((c['git_commit'][:7] for c in reference if c.get('git_commit')), '?')}")
else:  # a fallback, and it says so
    reference = evaluate_claims(reference_dir)
    print("results/cpu/claims.json is not committed yet: FALLBACK, the claims are judged "
          "here from the committed tables")
verdict_counts(reference)

# %% [markdown]
# **Figure 1.** Every claim's paired effect with its 95% CI, grouped by paper, on the
# committed `cpu` results. Each line is scaled by its own largest value, so that claims on
# different metrics share one axis: read the direction and whether the CI crosses 0 here,
# and the raw numbers at the right. A cross marks a claim without an effect (not tested, or
# not comparable).

# %% tags=["hide-input"]
forest_plot(reference)
plt.show()

# %% tags=["hide-input"]
show_table(claim_rows(reference), caption="Claims on the committed cpu results",
           notes=CLAIM_NOTES)

# %% [markdown]
# One card per claim: where the paper makes it, what it says, the paper's number (or how it
# shows the claim), our paired effect, the control, and why the verdict is what it is.

# %% tags=["hide-input"]
show_claims(reference)

# %% [markdown]
# (how-a-verdict-is-reached)=
# ## How a verdict is reached
#
# Each claim compares two arms of one result table (the method under test and its control)
# on one metric, seed by seed: the same data seed, and the same initial weights where the
# arms share networks. The effect's 95% confidence interval is a Student-t interval over
# seeds. `rlvid.claims.judge` computes one of five verdicts, in this order:
#
# - **not comparable**: only when the claim cannot be measured here at all (the
#   proprietary data of the paper's Tables 5–6);
# - **not tested**: the phase under test did not move (fewer optimizer updates, or a
#   smaller relative parameter change ‖Δθ‖/‖θ‖, than the claim's stated threshold), or the
#   winning arm does not beat the best *trivial* row (an output that does not do the task:
#   the untranslated source, a flat or time-shuffled video, an unrelated target video, the
#   holes unfilled or mean-filled): the task was not learned at this scale;
# - **reproduced**: the CI excludes 0 in the paper's direction;
# - **refuted**: the CI excludes 0 the other way, or excludes the paper's own effect;
# - **inconclusive**: the CI spans 0; the reason says how many seeds would resolve it at
#   the spread we saw.
#
# *Baselines* (copy-nearest-visible, Telea, the sequential and random selectors, CycleGAN,
# Recycle-GAN) are competitors, not referees: every reason ends with where the arms stand
# against the best trivial row and the best baseline, and no baseline changes a verdict.
#
# The verdicts are written to `results/<profile>/claims.json` by this page's run: nothing
# on this page is typed in by hand but the paper's side.

# %% [markdown]
# ## This build's own verdicts
#
# Judged on the tables that the notebooks of this build just wrote, and saved as
# `claims.json` beside them; the first line says which profile they came from. At the
# `smoke` profile (CI) the networks barely train and one seed gives no interval, so these
# verdicts only show that the pipeline runs end to end. Unfold to read them.

# %% tags=["hide-input", "hide-output"]
path = write_claims(fresh_dir)
fresh = load_claims(path)
print(f"profile {cfg.profile}: {len(fresh)} claims judged on this build's tables")
verdict_counts(fresh)

# %% tags=["hide-input", "hide-output"]
show_table(claim_rows(fresh), caption=f"Claims on this build's tables (profile {cfg.profile})",
           notes=CLAIM_NOTES)
