"""What the book calls things: display names of methods, selectors, regimes and claims, in
one place. Code keys (``rovr_flow_warm:tuned``, ``gan_continued``) never reach a reader;
:func:`display_name` turns one into words and leaves any other text as it is. Metric labels
(unit, backend, better direction) are :func:`rlvid.viz.metric_label`.
"""

from __future__ import annotations

METHODS = {
    # RL-V2V-GAN and its baselines
    "rlv2v": "RL-V2V-GAN",
    "gan_continued": "GAN continued (matched)",
    "pretrain": "pretraining only",
    "pretrain_only": "pretraining only",
    "rlv2v_untrained_q": "RL-V2V-GAN, untrained Q",
    "recycle": "Recycle-GAN",
    "recyclegan": "Recycle-GAN",
    "cyclegan": "CycleGAN (frames)",
    # reference rows
    "twin": "twin",
    "identity": "identity (source)",
    "flat": "flat target colours",
    "shuffled": "shuffled source",
    "copy_nearest": "copy nearest visible",
    "copy-nearest-visible": "copy nearest visible",
    "mean_fill": "mean fill",
    "unfilled": "unfilled holes",
    # ROVR selectors and policies
    "oracle": "oracle (best pair)",
    "sequential": "sequential (t−1, t−2)",
    "random": "random frames",
    "best": "best pair",
    "worst": "worst pair",
    "attention": "attention over all frames",
    "rovr-incremental": "ROVR (incremental)",
    "imitation_bce": "imitation, BCE (paper)",
    "imitation_pair": "imitation, pair-aware",
    "imitation_contrastive": "imitation, contrastive",
    "untrained_pair": "pair-aware, untrained",
    "rovr_flow_warm": "ROVR: flow, warm start",
    "rovr_noflow_warm": "ROVR: no flow, warm start",
    "rovr_flow_cold": "ROVR: flow, cold start",
    "rovr_flow_warm_pretrained_local": "ROVR: flow, warm, pretrained Γ",
}

REGIMES = {"tuned": "Γ fine-tuned", "frozen": "Γ frozen"}

PAPERS = {"RL-V2V-GAN": "RL-V2V-GAN", "ROVR": "ROVR"}

# each claim in a few words (the forest plot's labels, the intro's findings); a claim not
# listed here shows its statement up to the first full stop
CLAIM_SHORT = {
    "V1": "right background colour, unlike a frame model",
    "V2": "temporally coherent videos",
    "V3": "the DDPG phase improves the translation",
    "V4": "beats Recycle-GAN",
    "V5": "flowers: translated, bloom kept",
    "V7": "flowers: temporally coherent",
    "V8": "city: translated, layout kept",
    "V10": "city: temporally coherent",
    "V11": "proprietary synthetic-to-real set",
    "V13": "synthetic: learned at all (vs trivial)",
    "V14": "flowers: learned at all (vs trivial)",
    "V15": "city: learned at all (vs trivial)",
    "R1a": "Table 1: best < random MSE",
    "R1b": "Table 1: random < worst MSE",
    "R2": "the flow reward raises flow recovery",
    "R3": "the imitation warm start helps",
    "R4a": "beats sequential on flow recovery (Γ tuned)",
    "R4b": "beats sequential on perceptual loss (Γ tuned)",
    "R4c": "beats sequential on flow recovery (Γ frozen)",
    "R4d": "beats sequential on perceptual loss (Γ frozen)",
    "R5": "sub-quadratic in the video length",
    "R6": "imitation: marginally better than random",
    "R6b": "imitation picks valid pairs more often",
    "R7a": "ROVR beats copying pixels: flow recovery",
    "R7b": "ROVR beats copying pixels: perceptual",
    "R7c": "Γ beats copy-nearest: hidden MSE",
    "R7d": "Γ beats Telea: hidden MSE",
}


def display_name(key: object) -> str:
    """A method, selector or policy key in words; ``name:regime`` keys name both
    (``rovr_flow_warm:tuned`` -> ``ROVR: flow reward, warm start, Γ fine-tuned``). Text that
    is not a known key comes back unchanged."""
    text = str(key)
    if text in METHODS:
        return METHODS[text]
    name, sep, regime = text.partition(":")
    if sep and regime in REGIMES:
        return f"{display_name(name)}, {REGIMES[regime]}"
    return text


def plot_text(text: str) -> str:
    """A label as matplotlib draws it: 𝒪 (no glyph in its font) as mathtext."""
    return text.replace("𝒪", r"$\mathcal{O}$")


def claim_short(claim: dict) -> str:
    """A claim in a few words: :data:`CLAIM_SHORT`, else its statement's first sentence."""
    short = CLAIM_SHORT.get(str(claim.get("id")))
    if short:
        return short
    statement = str(claim.get("statement", "")).split(" (")[0]
    return statement.split(". ")[0].rstrip(".")
