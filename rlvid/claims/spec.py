"""What a claim is: one paper's statement, tested as a paired comparison of two arms of one
result table (:class:`ClaimSpec`). Each paper's claims are its ``paper.py``'s ``CLAIMS``;
:mod:`rlvid.claims.judge` decides them from the tables."""

from __future__ import annotations

from dataclasses import dataclass

BEST_TRIVIAL = "best trivial row"  # a claim's control: the table's best trivial row


@dataclass(frozen=True)
class ClaimSpec:
    """One claim of a paper, tested as a paired comparison of two arms of one table.

    ``method`` is the arm under test, ``control`` what it is compared with, both values of
    the table's ``key`` column; ``metric`` is signed by ``higher_is_better``. With ``phase``
    set, the method's rows must show that phase moved (``param_change`` and
    ``phase_updates`` at or above the thresholds), or the verdict is ``not tested``.
    ``paper_effect``: the paper's own effect on our metric's scale, where comparable.
    ``kind`` "exponent": a scaling claim read from a fitted exponent (below 2).
    ``control`` may name a reference row (seed "-") or be :data:`BEST_TRIVIAL`.
    ``start``: the row both arms branch from (V3: the pretrained model); the verdict's
    reason says on how many seeds it beats the best trivial row.
    """

    id: str
    paper: str
    where: str
    statement: str
    paper_value: str
    table: str
    metric: str
    higher_is_better: bool
    method: str
    control: str
    key: str = "method"
    control_note: str = ""
    paper_effect: float | None = None
    phase: str | None = None
    min_param_change: float = 1e-2
    min_updates: int = 1
    not_comparable: str | None = None
    kind: str = "paired"
    start: str | None = None  # the row both arms branch from; the judge counts its seeds
    #                           that beat the best trivial row
