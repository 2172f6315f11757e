"""ROVR's methods, one :class:`Method` record each (issue 25): Table 1's conditioning pairs,
the fixed selectors, Table 2's trained policies (imitation and PPG, §6.2, §6.3, §8) and the
scaling study's selectors, with what the book calls each and its Table 2 row label.
:mod:`rlvid.rovr.table2`, :mod:`~rlvid.rovr.tables`, :mod:`~rlvid.rovr.paper`,
:mod:`~rlvid.rovr.scaling` and the book's display names all read :data:`METHODS`.

Reference rows without Γ or policy (copy-nearest-visible, the mean fill, the unfilled input)
are not methods: :data:`REFERENCES` names them. Γ's two regimes of Table 2 are
:data:`REGIMES`. Loading this module loads the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from rlvid.registry import lookup, names_in

# the experiments a method can appear in (Method.experiments)
EXPERIMENTS = {
    "table1": "Table 1 (notebook 20): Γ conditioned on fixed pairs",
    "flow_separation": "notebook 20: O of the fixed selectors, best first",
    "table2": "Table 2 (notebook 21): every selector in both Γ regimes",
    "scaling": "R5 (rlvid.rovr.scaling): one whole video timed per selector",
}


@dataclass(frozen=True)
class Method:
    """One conditioning policy, fixed rule or trained, of the ROVR pages."""

    name: str  # the code key: table rows (``name:regime`` in Table 2), run stages
    display: str  # what the book calls it
    label: str = ""  # its row label in Table 2 ("": no row of its own)
    experiments: tuple[str, ...] = ()  # keys of EXPERIMENTS
    action: str | None = None  # a policy's action: "pair" (pair-aware) or "top2" (per frame)
    imitation_loss: str | None = None  # trained by imitation with this loss (§6.2, §8)
    ppg: bool = False  # trained end to end by PPG (§6.3)
    flow_reward: bool = False  # PPG with the optical-flow reward (§7.3)
    warm_start: bool = False  # PPG from the imitation warm start (§7.3)
    kind: str | None = None  # its row kind (rlvid.results.ROW_KINDS); None: under study


BEST = Method("best", "best pair", experiments=("table1",))
ORACLE = Method("oracle", "oracle (best pair)", "Oracle best pair (ours)",
                ("flow_separation", "table2"), kind="upper bound")
SEQUENTIAL = Method("sequential", "sequential (t−1, t−2)", "Sequential (t-1, t-2) = vid2vid",
                    ("flow_separation", "table2"), kind="baseline")
RANDOM = Method("random", "random frames", "Random pairs (ours)",
                ("table1", "flow_separation", "table2"), kind="baseline")
WORST = Method("worst", "worst pair", experiments=("table1",))
UNTRAINED_PAIR = Method("untrained_pair", "pair-aware, untrained",
                        "Pair-aware policy, untrained (ours)", action="pair")
IMITATION_BCE = Method("imitation_bce", "imitation, BCE (paper)",
                       "Imitation learning only (BCE, §6.2)", ("table2",), action="top2",
                       imitation_loss="bce")
IMITATION_CONTRASTIVE = Method("imitation_contrastive", "imitation, contrastive",
                               "Imitation only, contrastive (§8; ours)")  # older results
IMITATION_PAIR = Method(
    "imitation_pair", "imitation, pair-aware",
    "Imitation only, pair-aware policy, pair ranking loss (§8; ours)", ("table2",),
    action="pair", imitation_loss="contrastive")
ROVR_FLOW_WARM = Method("rovr_flow_warm", "ROVR: flow, warm start",
                        "ROVR: flow reward, warm start", ("table2",), action="pair", ppg=True,
                        flow_reward=True, warm_start=True)
ROVR_NOFLOW_WARM = Method("rovr_noflow_warm", "ROVR: no flow, warm start",
                          "ROVR: no flow reward, warm start", ("table2",), action="pair",
                          ppg=True, warm_start=True)
ROVR_FLOW_COLD = Method("rovr_flow_cold", "ROVR: flow, cold start",
                        "ROVR: flow reward, cold start", ("table2",), action="pair", ppg=True,
                        flow_reward=True)
ROVR_FLOW_WARM_PRETRAINED_LOCAL = Method(
    "rovr_flow_warm_pretrained_local", "ROVR: flow, warm, pretrained Γ",
    "ROVR flow+warm policy, pretrained Γ (ours)")  # older results
# R5's selectors (rlvid.rovr.scaling): the paper's state, re-encoded at every step (§5.1.3);
# the incremental rollout `rlvid inpaint` runs; self-attention; one attention query a step
PAPER_STATE = Method("rovr-paper-state", "rovr-paper-state", experiments=("scaling",))
INCREMENTAL = Method("rovr-incremental", "ROVR (incremental)", experiments=("scaling",))
ATTENTION = Method("attention", "attention over all frames", experiments=("scaling",))
ATTENTION_QUERY = Method("attention-query", "attention-query", experiments=("scaling",))

# in the order the book lists them
METHODS: dict[str, Method] = {m.name: m for m in (
    BEST, ORACLE, SEQUENTIAL, RANDOM, WORST, UNTRAINED_PAIR, IMITATION_BCE,
    IMITATION_CONTRASTIVE, IMITATION_PAIR, ROVR_FLOW_WARM, ROVR_NOFLOW_WARM, ROVR_FLOW_COLD,
    ROVR_FLOW_WARM_PRETRAINED_LOCAL, PAPER_STATE, INCREMENTAL, ATTENTION, ATTENTION_QUERY)}
OURS = ROVR_FLOW_WARM.name  # the method under test: its Γ is "tuned", budgets are its
WARM_START = IMITATION_PAIR.name  # the imitation run the warm-started PPG runs start from


def method_record(name: str) -> Method:
    """The record of method ``name``; an unknown name is one :class:`RlvidError` line."""
    return lookup(METHODS, name, "ROVR method")


def in_experiment(experiment: str) -> tuple[str, ...]:
    """The methods ``experiment`` (a key of :data:`EXPERIMENTS`) runs, in the book's order."""
    return names_in(METHODS, EXPERIMENTS, experiment)


def _of(methods: Iterable[Method]) -> tuple[str, ...]:
    return tuple(m.name for m in methods)


CONDITIONINGS = in_experiment("table1")  # Table 1's pairs: best, random, worst
FLOW_SELECTORS = in_experiment("flow_separation")  # best first: each should beat the next
SCALING_SELECTORS = in_experiment("scaling")
IMITATION_RUNS = _of(m for m in METHODS.values() if m.imitation_loss)
PPG_RUNS = _of(m for m in METHODS.values() if m.ppg)
ACTION_OF = {m.name: m.action for m in METHODS.values() if m.action}  # the trained policies

# Table 2's Γ regimes: every selector with the method under test's fine-tuned Γ (the paper's
# regime, §6.3), or with the pretrained Γ
TUNED, FROZEN = "tuned", "frozen"
REGIMES = {TUNED: "Γ fine-tuned", FROZEN: "Γ frozen"}


@dataclass(frozen=True)
class Reference:
    """A row without Γ or policy (kinds: :data:`rlvid.results.ROW_KINDS`)."""

    name: str
    display: str
    label: str = ""  # its row label in Table 2


COPY_NEAREST = Reference("copy_nearest", "copy nearest visible",
                         "Copy nearest visible pixel in time (no Γ; ours)")
MEAN_FILL = Reference("mean fill", "mean fill",
                      "Mean fill: hidden pixels set to the frame's visible mean (ours)")
UNFILLED = Reference("unfilled", "unfilled holes", "Unfilled: the masked input as it is (ours)")
COPY_NEAREST_VISIBLE = Reference("copy-nearest-visible", "copy nearest visible")  # Table 1's
REFERENCES: dict[str, Reference] = {r.name: r for r in (
    COPY_NEAREST, MEAN_FILL, UNFILLED, COPY_NEAREST_VISIBLE,
    Reference("mean_fill", "mean fill"))}

TABLE2_LABELS = {**{m.name: m.label for m in METHODS.values() if m.label},
                 **{r.name: r.label for r in REFERENCES.values() if r.label}}


def display_names() -> dict[str, str]:
    """Every method and reference row -> what the book calls it."""
    return {**{m.name: m.display for m in METHODS.values()},
            **{r.name: r.display for r in REFERENCES.values()}}
