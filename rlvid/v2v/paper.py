"""What the RL-V2V-GAN paper (Ma, Klabjan, Utke 2024) itself states, quoted once here for
the claims page and the tables: where it says it, what it says, and what evidence it gives.

The paper reports no numbers for its own method (its results are sample frames), so these
are statements, not targets; :mod:`rlvid.claims` judges each against this kit's tables.
"""

from __future__ import annotations

from dataclasses import dataclass

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
