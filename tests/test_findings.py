"""rlvid.book.findings and rlvid.book.names: the intro's "What we found" and each page's answer,
computed from a claims.json; code keys shown as words."""

from __future__ import annotations

from rlvid.book.findings import claim_rows, counts_sentence, finding, findings_markdown
from rlvid.book.html_blocks import seeds_favouring
from rlvid.book.names import claim_short, display_name
from rlvid.book.viz import readable

CLAIMS = [
    {"id": "V1", "paper": "RL-V2V-GAN", "verdict": "inconclusive", "effect": 0.025,
     "ci95": [-0.0853, 0.135], "n_seeds": 5, "wins": 4, "metric": "psnr", "statement": "x",
     "reason": ""},
    {"id": "V2", "paper": "RL-V2V-GAN", "verdict": "not comparable", "effect": None,
     "ci95": None, "reason": "gameable on this data; more", "statement": "y"},
    {"id": "R9", "paper": "ROVR", "verdict": "reproduced", "effect": 1.0, "ci95": [0.5, 1.5],
     "n_seeds": 3, "wins": 3, "metric": "ssim", "statement": "ROVR is fast. It is (really) fast",
     "reason": ""},
]


def test_counts_follow_the_verdict_order() -> None:
    assert counts_sentence(CLAIMS) == "3 claims: 1 reproduced, 1 inconclusive, 1 not comparable"


def test_a_finding_gives_the_effect_or_the_reason() -> None:
    assert finding(CLAIMS[0]) == ("inconclusive: effect +0.025 on PSNR (dB), 95% CI "
                                  "[−0.0853, +0.135] over 5 seeds")
    assert finding(CLAIMS[1]) == "not comparable: gameable on this data"


def test_the_findings_have_one_section_per_paper() -> None:
    text = findings_markdown(CLAIMS, "source line")
    assert text.splitlines()[0] == "**RL-V2V-GAN** (2 claims: 1 inconclusive, 1 not comparable)."
    assert "**ROVR** (1 claim: 1 reproduced)." in text
    assert "- *R9, ROVR is fast*: reproduced: effect +1 on SSIM, 95% CI [+0.5, +1.5] over 3 " \
           "seeds." in text
    assert text.rstrip().endswith("source line")


def test_keys_read_as_words() -> None:
    assert display_name("rovr_flow_warm:tuned") == "ROVR: flow, warm start, Γ fine-tuned"
    assert display_name("gan_continued") == "GAN continued (matched)"
    assert display_name("a sentence: left alone") == "a sentence: left alone"
    assert claim_short({"id": "V1"}) == "right background colour, unlike a frame model"


def test_seed_counts_show_only_where_paired_seeds_were_counted() -> None:
    assert seeds_favouring({"n_seeds": 5, "wins": 3, "effect": 0.1}) == "3 of 5"
    assert seeds_favouring({"n_seeds": 5, "wins": 0, "effect": -0.1}) == "0 of 5"
    assert seeds_favouring({"n_seeds": 2, "wins": 0, "effect": 0.965}) is None  # R5
    assert seeds_favouring({"n_seeds": 5, "wins": 0, "effect": None}) is None


def test_claim_rows_name_each_claim_in_words() -> None:
    (row,) = claim_rows(CLAIMS[:1])
    assert row == {"claim": "V1: right background colour, unlike a frame model",
                   "paper": None, "ours": "+0.025 [−0.0853, +0.135]", "seeds": "4 of 5",
                   "verdict": "inconclusive"}


def test_code_keys_in_a_reason_read_as_words() -> None:
    text = readable("hidden_mse is gameable: 'copy_nearest' beats rovr_flow_warm:tuned")
    assert text == ("hidden-pixel MSE ([0, 1] units) is gameable: 'copy nearest visible' "
                    "beats ROVR: flow, warm start, Γ fine-tuned")
    assert readable("tdiff: identity at or above cyclegan, the best random pair") == (
        "temporal-difference error vs twin (shapes): identity at or above CycleGAN (frames), "
        "the best random pair")


def test_every_claim_has_a_short_statement():
    """The forest plot and the intro label claims by their short statement; a claim without
    one would fall back to its full sentence, too long for the figure."""
    from rlvid.book.names import CLAIM_SHORT
    from rlvid.claims.judge import all_claims

    assert {c.id for c in all_claims()} == set(CLAIM_SHORT)
