"""Text blocks for notebooks and the book: bulleted lists, definition lists and one card
per claim of the papers, as self-contained HTML (inline styles only) with a plain-text twin.
Tables are :func:`rlvid.book.display.show_table`.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from rlvid.book.display import MAX_WIDTH_PX, _display, fmt
from rlvid.book.viz import readable

# terms in a narrow left column, descriptions beside them
_GRID = ("display:grid;grid-template-columns:max-content minmax(0,1fr);gap:0.15em 1em;"
         "margin:0.2em 0")


class HTMLBlock:
    """A piece of HTML with a plain-text twin (what ``print`` and nbval see)."""

    def __init__(self, markup: str, text: str) -> None:
        self.markup, self.text = markup, text

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _block(inner: str) -> str:
    return (f'<div class="rlvid-block" style="max-width:{MAX_WIDTH_PX}px;white-space:normal;'
            f'word-break:break-word;line-height:1.45">{inner}</div>')


def bullet_list(items: Sequence[str], caption: str = "") -> HTMLBlock:
    """Sentences as a bulleted list (each wraps), with an optional bold lead line."""
    head = f"<p style='margin:0.3em 0'><strong>{html.escape(caption)}</strong></p>" \
        if caption else ""
    lis = "".join(f"<li style='margin:0.2em 0'>{html.escape(s)}</li>" for s in items)
    text = "\n".join(([caption] if caption else []) + [f"- {s}" for s in items])
    return HTMLBlock(_block(f"{head}<ul style='margin:0.2em 0 0.8em 0'>{lis}</ul>"), text)


def definitions(pairs: Mapping[str, Any] | Sequence[tuple[str, Any]],
                caption: str = "") -> HTMLBlock:
    """Terms and their descriptions as a definition list (values formatted like cells)."""
    items = list(pairs.items()) if isinstance(pairs, Mapping) else list(pairs)
    head = f"<p style='margin:0.3em 0'><strong>{html.escape(caption)}</strong></p>" \
        if caption else ""
    body = "".join(
        f"<dt style='font-weight:600;margin:0'>{html.escape(str(k))}</dt>"
        f"<dd style='margin:0'>{html.escape(fmt(v))}</dd>" for k, v in items)
    width = max([len(str(k)) for k, _ in items] + [0])
    text = "\n".join(([caption] if caption else [])
                     + [f"{str(k):>{width}}: {fmt(v)}" for k, v in items])
    return HTMLBlock(_block(f"{head}<dl style='{_GRID};margin-bottom:0.8em;font-size:0.95em'>"
                            f"{body}</dl>"), text)


def show_list(items: Sequence[str], caption: str = "") -> None:
    _display(bullet_list(items, caption))


def show_definitions(pairs: Mapping[str, Any] | Sequence[tuple[str, Any]],
                     caption: str = "") -> None:
    _display(definitions(pairs, caption))


# ---------------------------------------------------------------- claims

VERDICT_COLOURS = {"reproduced": "#2e7d32", "refuted": "#c62828",
                   "inconclusive": "#ef6c00", "not tested": "#6d6d6d",
                   "not comparable": "#9e9e9e"}


def _g(value: Any) -> str:
    return f"{float(value):+.3g}"


def seeds_favouring(claim: Mapping[str, Any]) -> str | None:
    """``"3 of 5"``, or None where the claim counts no paired seeds: no effect, no seed
    count, or a count of 0 beside a positive mean effect, which paired seeds cannot give."""
    n, wins, effect = claim.get("n_seeds"), claim.get("wins"), claim.get("effect")
    if not n or wins is None or effect is None or (int(wins) == 0 and float(effect) > 0):
        return None
    return f"{int(wins)} of {int(n)}"


def effect_text(claim: Mapping[str, Any]) -> str:
    """Our side of a claim in words: the paired effect with its 95% CI, wins and compute."""
    if claim.get("effect") is None:
        return "–"
    text = f"{_g(claim['effect'])} on {claim.get('metric', '?')}"
    if claim.get("ci95"):
        lo, hi = claim["ci95"]
        text += f", 95% CI [{_g(lo)}, {_g(hi)}]"
    if (seeds := seeds_favouring(claim)) is not None:
        text += f"; {seeds} seeds favour the claim"
    if claim.get("compute_ratio") is not None:
        text += f"; control's compute {float(claim['compute_ratio']):.2f}×"
    return text


def claim_cards(claims: Sequence[Mapping[str, Any]],
                fields: Sequence[tuple[str, str]] = (("paper_value", "The paper"),
                                                     ("ours", "Ours (positive = as claimed)"),
                                                     ("control", "Compared with"),
                                                     ("reason", "Why this verdict"))
                ) -> HTMLBlock:
    """One card per claim (entries of :func:`rlvid.claims.judge.evaluate_claims`): a header with
    the verdict, id, paper and section, the claim as a sentence, then a definition list of
    ``fields`` (key, label); ``ours`` is :func:`effect_text`. Empty fields are left out."""
    cards, text = [], []
    for claim in claims:
        c = {**claim, "ours": effect_text(claim),
             **{k: readable(str(claim[k])) for k in ("reason", "control") if claim.get(k)}}
        verdict = str(c.get("verdict", ""))
        colour = VERDICT_COLOURS.get(verdict, "#444")
        cls = "rlvid-verdict-" + verdict.replace(" ", "-")
        profile = c.get("profile")
        where = " · ".join(str(c[k]) for k in ("id", "paper", "where") if c.get(k))
        badge = (f'<span class="rlvid-verdict" style="background:{colour};color:#fff;'
                 f'border-radius:3px;padding:1px 7px;font-size:0.85em;font-weight:600">'
                 f'{html.escape(verdict)}</span>')
        meta = html.escape(where) + (f" · profile {html.escape(str(profile))}"
                                     if profile and profile != "-" else "")
        dl = "".join(
            f"<dt style='font-weight:600;color:#444;margin:0'>{html.escape(label)}</dt>"
            f"<dd style='margin:0'>{html.escape(str(c[key]))}</dd>"
            for key, label in fields if c.get(key) not in (None, "", "–"))
        statement = (f"<p style='margin:0.35em 0;font-weight:500'>"
                     f"{html.escape(str(c['statement']))}</p>" if c.get("statement") else "")
        cards.append(
            f'<div class="rlvid-claim {cls}" style="border:1px solid #ddd;border-left:5px '
            f'solid {colour};border-radius:4px;padding:0.5em 0.8em;margin:0 0 0.8em 0">'
            f'<div>{badge} <span style="color:#555;font-size:0.9em">{meta}</span></div>'
            f"{statement}<dl style='{_GRID};font-size:0.92em'>{dl}</dl></div>")
        text.append(f"[{verdict}] {where}" + (f" (profile {profile})" if profile else ""))
        if c.get("statement"):
            text.append(f"  {c['statement']}")
        text += [f"  {label}: {c[key]}" for key, label in fields
                 if c.get(key) not in (None, "", "–")]
    return HTMLBlock(_block("".join(cards)), "\n".join(text))


def show_claims(claims: Sequence[Mapping[str, str]], **options: Any) -> None:
    _display(claim_cards(claims, **options))


def verdict_counts(claims: Sequence[Mapping[str, str]]) -> HTMLBlock:
    """A one-line tally of verdicts, each in its colour."""
    counts: dict[str, int] = {}
    for c in claims:
        counts[str(c["verdict"])] = counts.get(str(c["verdict"]), 0) + 1
    spans = " ".join(
        f'<span style="color:{VERDICT_COLOURS.get(v, "#444")};font-weight:600">{n} '
        f'{html.escape(v)}</span>' for v, n in counts.items())
    text = ", ".join(f"{n} {v}" for v, n in counts.items())
    return HTMLBlock(_block(f"<p>Verdicts: {spans}</p>"), f"verdicts: {text}")


