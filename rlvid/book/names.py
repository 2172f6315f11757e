"""What the book calls things: claims in a few words, and :func:`display_name`, which
turns a code key (``rovr_flow_warm:tuned``, ``gan_continued``) into words and leaves any
other text as it is; code keys never reach a reader. The display names of methods,
selectors, reference rows and Γ regimes are their registries' (:mod:`rlvid.v2v.methods`,
:mod:`rlvid.rovr.methods`). Metric labels (unit, backend, better direction) are
:func:`rlvid.book.viz.metric_label`.
"""

from __future__ import annotations

from rlvid.rovr import methods as rovr_methods
from rlvid.v2v import methods as v2v_methods

# code key -> words: every method and reference row of both papers, from their registries
DISPLAY_NAMES = {**v2v_methods.display_names(), **rovr_methods.display_names()}
REGIMES = rovr_methods.REGIMES  # Table 2's Γ regimes

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
    if text in DISPLAY_NAMES:
        return DISPLAY_NAMES[text]
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
