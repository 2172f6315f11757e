"""What the kit found, in sentences, from a ``claims.json``: the intro's "What we found"
(:func:`findings_markdown`, written at build time by ``scripts/prepare_book.py`` from the
committed ``results/cpu/claims.json``) and the answer an experiment page gives under its
claim (:func:`answer_block`).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rlvid.book.display import MAX_WIDTH_PX, _display
from rlvid.book.html_blocks import VERDICT_COLOURS, HTMLBlock, seeds_favouring
from rlvid.book.names import claim_short
from rlvid.book.viz import metric_label, readable

VERDICT_ORDER = ("reproduced", "refuted", "inconclusive", "not tested", "not comparable")
# the papers' headline claims, in the order the intro tells them
MAIN_CLAIMS = {"RL-V2V-GAN": ("V13", "V1", "V2", "V3", "V4"),
               "ROVR": ("R1a", "R2", "R3", "R4a", "R7a", "R5")}


def load(path: str | Path) -> list[dict[str, Any]]:
    """The claims of a ``claims.json``."""
    return list(json.loads(Path(path).read_text()))


def counts_sentence(claims: Sequence[Mapping[str, Any]]) -> str:
    """``"12 claims: 2 inconclusive, 1 not tested, 9 not comparable"``."""
    verdicts = [str(c["verdict"]) for c in claims]
    order = [*VERDICT_ORDER, *(v for v in dict.fromkeys(verdicts) if v not in VERDICT_ORDER)]
    counts = {v: verdicts.count(v) for v in order}
    parts = [f"{n} {v}" for v, n in counts.items() if n]
    return f"{len(claims)} claim{'s' * (len(claims) != 1)}: " + ", ".join(parts)


def _number(x: float) -> str:
    return f"{x:+.3g}".replace("-", "−")


def finding(claim: Mapping[str, Any]) -> str:
    """One claim's answer in a line: the verdict, and the paired effect with its 95% CI
    and seeds where there is one, else the first clause of the reason."""
    verdict = str(claim["verdict"])
    if claim.get("effect") is not None and claim.get("ci95"):
        lo, hi = (float(v) for v in claim["ci95"])
        metric = metric_label(str(claim.get("metric", ""))).rstrip(" ↑↓")
        seeds = f" over {claim['n_seeds']} seeds" if seeds_favouring(claim) else ""
        return (f"{verdict}: effect {_number(float(claim['effect']))} on {metric}, 95% CI "
                f"[{_number(lo)}, {_number(hi)}]{seeds}")
    reason = readable(str(claim.get("reason", "")).split(";")[0].strip())
    return f"{verdict}: {reason}" if reason else verdict


def findings_markdown(claims: Sequence[Mapping[str, Any]], source: str = "") -> str:
    """Per paper: the verdict counts and one line for each of its main claims."""
    out = []
    papers = list(dict.fromkeys(str(c["paper"]) for c in claims))
    for paper in papers:
        mine = [c for c in claims if str(c["paper"]) == paper]
        out.append(f"**{paper}** ({counts_sentence(mine)}).\n")
        main = [c for c in mine if c.get("id") in MAIN_CLAIMS.get(paper, ())] or mine
        out += [f"- *{c['id']}, {claim_short(c)}*: {finding(c)}." for c in main]
        out.append("")
    if source:
        out.append(source)
    return "\n".join(out).rstrip() + "\n"


CLAIM_NOTES = ("ours: the mean paired difference, positive = the paper's direction, with its "
               "95% CI; seeds: how many seeds favour the claim; each claim's control and "
               "its compute are on its card")


def claim_rows(claims: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One table row per claim, in words: id and short statement, the paper's value, our
    effect with its CI, the seeds that favour it, and the verdict."""
    rows = []
    for c in claims:
        ours = "–"
        if c.get("effect") is not None:
            ours = _number(float(c["effect"]))
            if c.get("ci95"):
                ours += " [{}, {}]".format(*(_number(float(v)) for v in c["ci95"]))
        rows.append({"claim": f"{c['id']}: {claim_short(c)}", "paper": c.get("paper_value"),
                     "ours": ours, "seeds": seeds_favouring(c) or "–",
                     "verdict": c["verdict"]})
    return rows


def answer_block(claims: Sequence[Mapping[str, Any]], caption: str) -> HTMLBlock:
    """The answers a page's claims got, one coloured line each, under ``caption``."""
    items, text = [], [caption]
    for c in claims:
        colour = VERDICT_COLOURS.get(str(c["verdict"]), "#444")
        line = finding(c)
        verdict, _, rest = line.partition(":")
        items.append(f"<li style='margin:0.15em 0'><strong>{html.escape(str(c['id']))}</strong>"
                     f" {html.escape(claim_short(c))}: <span style='color:{colour};"
                     f"font-weight:600'>{html.escape(verdict)}</span>"
                     f"{':' if rest else ''}{html.escape(rest)}</li>")
        text.append(f"- {c['id']} {claim_short(c)}: {line}")
    markup = (f'<div class="rlvid-block rlvid-answer" style="max-width:{MAX_WIDTH_PX}px;'
              f'white-space:normal;line-height:1.45"><p style="margin:0.3em 0">'
              f"<strong>{html.escape(caption)}</strong></p><ul style='margin:0.2em 0 0.8em 0'>"
              f"{''.join(items)}</ul></div>")
    return HTMLBlock(markup, "\n".join(text))


def show_answer(tables: Sequence[str], profile: str = "cpu") -> None:
    """Under a page's claim: the committed ``results/<profile>/claims.json`` verdicts of the
    claims judged on ``tables``."""
    from rlvid.paths import reference_path

    path = reference_path("claims", profile)
    claims = [c for c in load(path) if c.get("table") in tables] if path.is_file() else []
    if not claims:
        print(f"no committed {profile} verdicts for {', '.join(tables)} yet")
        return
    _display(answer_block(claims, f"The answer on this data (committed {profile} run, "
                                  f"{len(claims)} claim{'s' * (len(claims) != 1)})"))
