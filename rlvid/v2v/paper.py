"""What the RL-V2V-GAN paper (Ma, Klabjan, Utke 2024) itself states, quoted once here for
the claims page and the tables: where it says it, what it says, and what evidence it gives.

The paper reports no numbers for its own method (its results are sample frames), so these
are statements, not targets; :mod:`rlvid.claims` judges each against this kit's tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlvid.results import ClaimSpec

PAPER = "RL-V2V-GAN"


@dataclass(frozen=True)
class Statement:
    where: str  # section, figure or table of the paper
    text: str  # the claim, in a sentence
    evidence: str  # what the paper shows for it
    tables: tuple[str, ...]  # this kit's result tables that test it


STATEMENTS: dict[str, Statement] = {
    "figure1": Statement(
        "§1, Figure 1",
        "A frame-based model cannot produce the blue-first-half, red-second-half background; "
        "RL-V2V-GAN gets each frame's colour right.",
        "qualitative (one example video)", ("synthetic",)),
    "coherence": Statement(
        "Abstract, §6",
        "RL-V2V-GAN produces temporally coherent videos (vs frame-based translation).",
        "qualitative (sample frames)", ("synthetic",)),
    "ddpg_helps": Statement(
        "§3.3, §5 (Algorithm 1)",
        "Training by DDPG on top of the pretrained GAN improves the translation.",
        "no ablation in the paper", ("synthetic",)),
    "beats_recycle": Statement(
        "§2, §6",
        "RL-V2V-GAN outperforms the state of the art (Recycle-GAN, the closest baseline).",
        "qualitative; no numbers", ("synthetic",)),
    "flower": Statement(
        "§6.1, Table 3",
        "Red flowers blooming on black become yellow flowers on natural backgrounds, "
        "keeping the bloom.", "qualitative (sample frames)", ("flower",)),
    "city": Statement(
        "§6.1, Table 4",
        "Daytime modern-city aerials become night-time small-town aerials, keeping layout.",
        "qualitative (sample frames)", ("city",)),
    "proprietary": Statement(
        "§6.1, Tables 5–6",
        "Results on a proprietary synthetic-to-real dataset.",
        "qualitative (sample frames)", ()),
}

# Tables 5-6: the proprietary dataset's sets (not public; nothing here stands in for it)
PROPRIETARY_SETS = {"X": "2,000 synthetic images", "Y": "500 real-world images of type A",
                    "Z": "1,000 real-world images of type B",
                    "Zbar": "4,000 real-world images of type A"}


def _claim(id_: str, key: str, table: str, metric: str, higher: bool, method: str,
           control: str, **options: object) -> ClaimSpec:
    st = STATEMENTS[key]
    return ClaimSpec(id_, PAPER, st.where, st.text, st.evidence, table, metric, higher,
                     method, control, **options)  # type: ignore[arg-type]


# V3's floor: Alg. 1's RL phase must do at least this many DDPG updates and move the policy
# networks by a relative 1e-2, or the comparison is void ("not tested")
MIN_RL_UPDATES = 1000
MIN_RL_PARAM_CHANGE = 1e-2

CLAIMS: tuple[ClaimSpec, ...] = (
    _claim("V1", "figure1", "synthetic", "bg_acc", True, "rlv2v", "cyclegan"),
    _claim("V2", "coherence", "synthetic", "ewarp", False, "rlv2v", "cyclegan"),
    _claim("V3", "ddpg_helps", "synthetic", "ssim", True, "rlv2v", "pretrain_only",
           phase="rl", min_updates=MIN_RL_UPDATES, min_param_change=MIN_RL_PARAM_CHANGE),
    _claim("V4", "beats_recycle", "synthetic", "ssim", True, "rlv2v", "recycle"),
    _claim("V5", "flower", "flower", "target_share", True, "rlv2v", "cyclegan"),
    _claim("V6", "city", "city", "target_share", True, "rlv2v", "cyclegan"),
    _claim("V7", "proprietary", "-", "-", True, "rlv2v", "-",
           not_comparable="the dataset is proprietary; 13_your_videos runs the same "
                          "pipeline on folders you supply"),
)
