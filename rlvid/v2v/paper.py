"""What the RL-V2V-GAN paper (Ma, Klabjan, Utke 2024) itself states, quoted once here for
the claims page and the tables: where it says it, what it says, and what evidence it gives.

The paper reports no numbers for its own method (its results are sample frames), so these
are statements, not targets; :mod:`rlvid.claims.judge` judges each against this kit's tables.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlvid.claims.spec import BEST_TRIVIAL, ClaimSpec
from rlvid.v2v.methods import CYCLEGAN, GAN_CONTINUED, OURS, PRETRAINING, RECYCLE

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
    "learned": Statement(
        "§6 (implicit in every sample frame)",
        "RL-V2V-GAN learns the translation: its outputs beat the best trivial output (the "
        "source, a flat frame, a time-shuffled source, an unrelated target video).",
        "sample frames only", ("synthetic", "flower", "city")),
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
           control: str, aspect: str = "", **options: object) -> ClaimSpec:
    """The claim ``key`` of :data:`STATEMENTS`, tested on one metric (``aspect`` names
    which part of the statement that metric tests)."""
    st = STATEMENTS[key]
    text = f"{st.text} ({aspect})" if aspect else st.text
    return ClaimSpec(id_, PAPER, st.where, text, st.evidence, table, metric, higher,
                     method, control, **options)  # type: ignore[arg-type]


# V3's floor, whatever the profile: Alg. 1's RL phase must do at least this many DDPG
# updates and move the policy networks by a relative 1e-2, or the comparison is void
MIN_RL_UPDATES = 1000
MIN_RL_PARAM_CHANGE = 1e-2
COMPUTE_MATCHED = ("compute-matched: GAN training continued from the same pretrained "
                   "checkpoint for the RL phase's FLOPs")
FRAME_BASED = "frame-based CycleGAN, trained to the same total FLOPs"
RECYCLE_NOTE = "Recycle-GAN, trained to the same total FLOPs"
TRIVIAL_NOTE = "the table's best trivial row on the same test videos"

# Primary metrics (errata: metrics), each scoring every trivial row at 0 by construction:
# gated_acc / gated_share (translated: content kept AND target reached, per frame, against
# the twin) and coherent_pairs (temporal coherence of the translated frames only). The
# content-only (mask_iou, edge_ssim), style-only (target_share) and twin-distance metrics
# stay in the tables as secondary columns: a trivial output wins each of them by design.
CLAIMS: tuple[ClaimSpec, ...] = (
    _claim("V1", "figure1", "synthetic", "gated_acc", True, OURS, CYCLEGAN.name,
           "content-gated accuracy", control_note=FRAME_BASED),
    _claim("V2", "coherence", "synthetic", "coherent_pairs", True, OURS, CYCLEGAN.name,
           "coherent pairs of translated frames", control_note=FRAME_BASED),
    _claim("V3", "ddpg_helps", "v3", "gated_acc", True, OURS, GAN_CONTINUED.name,
           "content-gated accuracy", control_note=COMPUTE_MATCHED, phase="rl",
           min_updates=MIN_RL_UPDATES, min_param_change=MIN_RL_PARAM_CHANGE,
           start=PRETRAINING),
    _claim("V4", "beats_recycle", "synthetic", "gated_acc", True, OURS, RECYCLE.name,
           "content-gated accuracy", control_note=RECYCLE_NOTE),
    _claim("V5", "flower", "flower", "gated_share", True, OURS, CYCLEGAN.name,
           "translated: frames judged yellow-on-nature whose flower matches the twin's",
           control_note=FRAME_BASED),
    _claim("V7", "flower", "flower", "coherent_pairs", True, OURS, CYCLEGAN.name,
           "coherent pairs of translated frames", control_note=FRAME_BASED),
    _claim("V8", "city", "city", "gated_share", True, OURS, CYCLEGAN.name,
           "translated: frames judged night-town whose roofs match the twin's",
           control_note=FRAME_BASED),
    _claim("V10", "city", "city", "coherent_pairs", True, OURS, CYCLEGAN.name,
           "coherent pairs of translated frames", control_note=FRAME_BASED),
    _claim("V13", "learned", "synthetic", "gated_acc", True, OURS, BEST_TRIVIAL,
           "synthetic shapes, content-gated accuracy", control_note=TRIVIAL_NOTE),
    _claim("V14", "learned", "flower", "gated_share", True, OURS, BEST_TRIVIAL,
           "flowers, gated share", control_note=TRIVIAL_NOTE),
    _claim("V15", "learned", "city", "gated_share", True, OURS, BEST_TRIVIAL,
           "city aerials, gated share", control_note=TRIVIAL_NOTE),
    _claim("V11", "proprietary", "-", "-", True, OURS, "-",
           not_comparable="the dataset is proprietary; 13_your_videos runs the same "
                          "pipeline on folders you supply"),
)
