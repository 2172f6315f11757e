"""Evaluation of unpaired style translations: the flower and city experiments of RL-V2V-GAN
(its Tables 3 and 4, shown in the paper only as frames) and translations of a user's own
videos (no twin). Metrics per method, each averaged over the held-out source videos:

- translated (content AND style), the primary metric: ``gated_share``, the share of frames
  judged Y whose colour-segmented foreground (flowers; city: building roofs) has IoU >= 0.5
  against the twin's (the synthetic set's gate), over frames whose twin has foreground;
- temporal coherence of the translated frames, the primary temporal metric:
  ``coherent_pairs`` (:func:`rlvid.metrics.translation.coherent_pairs`, gated by the same
  test);
- content kept: ``edge_ssim`` (SSIM of edge maps, source vs output) and, for flowers,
  ``mask_iou`` (the output's flower, segmented by colour, vs the twin's flower mask);
- target style reached: ``target_share`` (share of output frames a small domain classifier,
  trained on held-out real frames of X and Y, assigns to Y) and ``colour_fd`` (Fréchet
  distance between the RGB colour statistics of the output and of Z̄);
- closeness to the twin: ``perceptual`` (ST-LPIPS or LPIPS, backend named), ``psnr``, ``ssim``;
- temporal coherence: ``tdiff`` (the output's frame-to-frame change against the twin's,
  reported), ``ewarp`` (flow warping error, flows from the source) and ``flicker``.

Without a twin (:func:`evaluate_style` with ``twin=None``) the twin metrics are left out.
Training reuses the synthetic experiment's pieces (:func:`rlvid.v2v.train.fit`,
:func:`rlvid.v2v.experiment.train_and_evaluate`); long videos and the user's own folders:
:mod:`rlvid.v2v.style_data`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import torch

from rlvid.metrics import warping_error
from rlvid.metrics.translation import (
    DomainClassifier,
    coherent_pairs,
    colour_frechet_distance,
    edge_ssim,
    flicker,
    frame_iou,
    frames_with_content,
    mask_iou,
    share_of,
    target_share,
    train_domain_classifier,
)
from rlvid.v2v import references
from rlvid.v2v.evaluate import GATE_IOU, twin_metrics
from rlvid.v2v.experiment import Experiment, train_and_evaluate
from rlvid.v2v.methods import OURS, STYLE_METHODS, with_pretraining
from rlvid.v2v.references import flat_mean_colour

# The style pages train RL-V2V-GAN, its compute-matched control and CycleGAN, the
# frame-based baseline every flower and city claim is judged against; Recycle-GAN is
# compared on the synthetic page only (the book's time budget, errata). Their rows, in order:
METHOD_ORDER = with_pretraining(STYLE_METHODS)
# metric -> which direction is better
STYLE_METRICS: dict[str, str] = {
    "gated_share": "higher", "coherent_pairs": "higher", "edge_ssim": "higher",
    "mask_iou": "higher", "target_share": "higher",
    "colour_fd": "lower", "perceptual": "lower", "psnr": "higher", "ssim": "higher",
    "tdiff": "lower", "ewarp": "lower", "flicker": "lower",
}
HIGHER_IS_BETTER = {m: d == "higher" for m, d in STYLE_METRICS.items()}
TWIN_FREE_METRICS = ("edge_ssim", "target_share", "colour_fd", "ewarp", "flicker")


# ---------------------------------------------------------------- the judges

@dataclass
class StyleJudge:
    """What the style metrics compare against: a domain classifier (X = 0, Y = 1) trained on
    held-out real frames, its held-out accuracy, and the style images Z̄."""

    classifier: DomainClassifier
    accuracy: float
    frames: int  # real frames it was trained and tested on (a quarter held out)
    zbar: torch.Tensor

    def describe(self) -> str:
        return (f"small CNN, {self.frames} held-out real X and Y frames, "
                f"held-out accuracy {self.accuracy:.3f}")


def fit_style_judge(source: torch.Tensor, target: torch.Tensor, zbar: torch.Tensor,
                    steps: int = 200, seed: int = 0) -> StyleJudge:
    """Train the domain classifier on real frames of X (``source``) and Y (``target``)
    that no translator trained on; a quarter of them measure its accuracy."""
    classifier, accuracy = train_domain_classifier(source, target, steps=steps, seed=seed)
    frames = int(source.shape[:-3].numel() + target.shape[:-3].numel())
    return StyleJudge(classifier, accuracy, frames, zbar)


def colour_segmentation(video: torch.Tensor, reference_fg: torch.Tensor) -> torch.Tensor:
    """Foreground of ``video`` (N, T, 3, H, W) by colour, per frame: a Gaussian is fitted to
    the frame's own pixel colours inside and one outside ``reference_fg`` (N, T, 1, H, W),
    and each pixel goes to the likelier class (quadratic discriminant with equal priors; a
    tie goes to the background). A frame of one colour has two equal Gaussians and no
    foreground at all: with priors equal to the class shares, a flat frame would be all
    foreground wherever the mask covers over half of it (city roofs; errata: metrics).

    An output that keeps the flower where the twin has it in colours unlike its background
    gets a mask close to ``reference_fg``; one whose flower moved or melted into the
    background does not. The colours themselves do not matter, so this measures content.
    """
    n, t, _, h, w = video.shape
    pixels = video.permute(0, 1, 3, 4, 2).reshape(n * t, h * w, 3).double()
    inside = reference_fg.reshape(n * t, h * w).bool()
    scores = []
    for label in (inside, ~inside):
        weight = label.double()[..., None]
        count = weight.sum(1, keepdim=True).clamp_min(1.0)
        mean = (pixels * weight).sum(1, keepdim=True) / count
        centred = pixels - mean
        cov = (centred * weight).transpose(1, 2) @ centred / count
        cov = cov + 1e-3 * torch.eye(3, dtype=cov.dtype)
        mahalanobis = ((centred @ torch.linalg.inv(cov)) * centred).sum(-1)
        scores.append(-0.5 * mahalanobis - 0.5 * torch.logdet(cov)[:, None])
    return (scores[0] > scores[1]).reshape(n, t, 1, h, w)


# ---------------------------------------------------------------- the metrics

def content_kept(output: torch.Tensor, source: torch.Tensor,
                 fg: torch.Tensor | None = None) -> dict[str, float]:
    """Edge-map SSIM between source and output; with ``fg``, IoU of the colour-segmented
    output against it."""
    out = {"edge_ssim": edge_ssim(source, output)}
    if fg is not None:
        out["mask_iou"] = mask_iou(colour_segmentation(output, fg), fg)
    return out


def content_matched(output: torch.Tensor, fg: torch.Tensor, gate: float = GATE_IOU
                    ) -> torch.Tensor:
    """(N, T) bool: the output's colour-segmented foreground matches its own twin's mask
    ``fg`` with IoU >= ``gate``, and better than it matches the mask of any other test
    video's twin at the same frame (errata: metrics). The second test asks for *this*
    video's content: a generic centred flower, or an unrelated target video, matches
    another twin about as well as its own and passes only by chance. A twin whose mask is
    the same as this one's in a frame is no rival there."""
    own = frame_iou(colour_segmentation(output, fg), fg)
    rival = torch.zeros_like(own)
    for k in range(1, fg.shape[0]):  # another twin with the very same mask is no rival
        other = fg.roll(k, 0)
        differs = (other != fg).flatten(2).any(-1)
        iou = frame_iou(colour_segmentation(output, other), other)
        rival = torch.maximum(rival, torch.where(differs, iou, torch.zeros_like(iou)))
    return (own >= gate) & (own > rival) & frames_with_content(fg)


def gated_frames(output: torch.Tensor, fg: torch.Tensor, judge: StyleJudge) -> torch.Tensor:
    """(N, T) bool: frames judged target (Y) AND :func:`content_matched`, in frames where
    ``fg`` has any foreground."""
    with torch.no_grad():
        judged = (judge.classifier(output.flatten(0, 1)) > 0).view(fg.shape[:2])
    return judged & content_matched(output, fg)


def gated_share(output: torch.Tensor, fg: torch.Tensor, judge: StyleJudge) -> float:
    """Content-gated translation for style data: the share of frames with twin foreground
    that are :func:`gated_frames` (errata: metrics). The twin scores 1 (when the judge
    calls it Y); the source and the shuffled source (judged X) and a flat frame (no
    foreground) score 0; an unrelated Y video scores near 0, by chance only."""
    return share_of(gated_frames(output, fg, judge), frames_with_content(fg))


def style_reached(output: torch.Tensor, judge: StyleJudge) -> dict[str, float]:
    """Share of output frames classified as target, and the colour Fréchet distance to Z̄."""
    return {"target_share": target_share(judge.classifier, output),
            "colour_fd": colour_frechet_distance(output, judge.zbar)}


def twin_closeness(output: torch.Tensor, twin: torch.Tensor, source: torch.Tensor,
                   perceptual: str | None = "auto", region: torch.Tensor | None = None
                   ) -> dict[str, float]:
    """Perceptual distance, PSNR, SSIM and temporal-difference error against the twin (over
    ``region`` where given), and E_warp (source flows)."""
    return twin_metrics(output, twin, source, perceptual, region)


def evaluate_style(output: torch.Tensor, source: torch.Tensor, judge: StyleJudge,
                   twin: torch.Tensor | None = None, fg: torch.Tensor | None = None,
                   perceptual: str | None = "auto") -> dict[str, float]:
    """Every metric of a translation ``output`` of ``source`` (N, T, 3, H, W); the twin
    metrics only when ``twin`` is given (``perceptual`` None: without the perceptual
    distance), ``mask_iou`` and the gated metrics only when ``fg`` is given."""
    output, source = output.float().cpu(), source.float().cpu()
    row = {**content_kept(output, source, fg), **style_reached(output, judge)}
    if fg is not None:
        gated = gated_frames(output, fg, judge)
        row["gated_share"] = share_of(gated, frames_with_content(fg))
        if twin is not None:
            row["coherent_pairs"] = coherent_pairs(output, twin, gated, fg)
    if twin is not None:
        row.update(twin_closeness(output, twin, source, perceptual, fg))
    else:
        row["ewarp"] = float(warping_error(output, reference=source).mean())
    row["flicker"] = flicker(output)
    return {k: row[k] for k in STYLE_METRICS if k in row}


def dataset_evaluator(data: Any, judge: StyleJudge, perceptual: str | None = "auto"
                      ) -> Callable[[torch.Tensor], dict[str, float]]:
    """``output -> metrics`` for translations of ``data.x_test`` with its twins and the
    twins' foreground masks ``data.twin_fg`` (flowers; city: building roofs)."""
    def evaluate(output: torch.Tensor) -> dict[str, float]:
        return evaluate_style(output, data.x_test, judge, twin=data.x_test_twin,
                              fg=data.twin_fg, perceptual=perceptual)
    return evaluate


def reference_rows(data: Any, evaluate: Callable[[torch.Tensor], dict[str, float]],
                   dataset: str = "") -> list[dict[str, Any]]:
    """The reference rows of :mod:`rlvid.v2v.references` (twin; identity, flat = the Y
    training frames' mean colour, shuffled source, unrelated Y test videos), all trivial
    but the twin. The twin's PSNR (infinite) is left out."""
    flat = flat_mean_colour(data.y, data.x_test)
    return references.reference_rows(references.reference_videos(data, flat), evaluate,
                                     dataset)


# ---------------------------------------------------------------- training every method

# The flower and city experiments train and evaluate exactly as the synthetic one does.
StyleExperiment = Experiment
run_style_experiment = train_and_evaluate


def scaled_iterations(v2v: Any, share: float) -> dict[str, int]:
    """Config overrides that train every method for ``share`` of the profile's iterations
    (the CPU time budget of the flower and city notebooks); {} for share 1."""
    if share == 1.0:
        return {}
    baseline = v2v.baseline_iterations or v2v.pretrain_iterations + v2v.rl_iterations
    return {"v2v.pretrain_iterations": max(1, round(v2v.pretrain_iterations * share)),
            "v2v.rl_iterations": max(1, round(v2v.rl_iterations * share)),
            "v2v.baseline_iterations": max(1, round(baseline * share))}


def style_config(profile: str, seeds: Sequence[int] | None = None,
                 iterations_share: float | None = None) -> tuple[Any, float]:
    """The profile with ``seeds`` and every method's iterations scaled by
    ``iterations_share`` (None: the profile's ``v2v.iterations_share``); and the share."""
    from rlvid.config import load_config

    base = load_config(profile)
    share = iterations_share if iterations_share is not None else base.v2v.iterations_share
    return load_config(profile, {"seeds": seeds, **scaled_iterations(base.v2v, share)}), share


def schedule_line(cfg: Any, share: float) -> str:
    """One line: profile, seeds, frame size, T and each method's training length."""
    v = cfg.v2v
    return (f"profile {cfg.profile}, seeds {list(cfg.seeds)}, frames {cfg.data.size}x"
            f"{cfg.data.size}, T = {cfg.data.video_len}; pretraining {v.pretrain_iterations} "
            f"steps, Algorithm 1 {v.rl_iterations} videos, baselines "
            f"{v.baseline_iterations or v.pretrain_iterations + v.rl_iterations} steps "
            f"({share:g} of the profile's iterations)")


def held_out_judge(cfg: Any, dataset: str, zbar: torch.Tensor) -> StyleJudge:
    """The style judge trained on the test videos of an independently generated copy of
    ``dataset`` (seed ``cfg.v2v.held_out_seed``): real frames no translator saw."""
    from rlvid.data import load_v2v_dataset

    held_out = load_v2v_dataset(dataset, cfg.data, seed=cfg.v2v.held_out_seed)
    return fit_style_judge(held_out.x_test, held_out.y_test, zbar,
                           steps=cfg.v2v.classifier_steps, seed=cfg.v2v.judge_seed)


# ---------------------------------------------------------------- reporting

DISPLAY_SCALE = {"ewarp": 1e3, "flicker": 1e3}  # shown x 1000 in printed tables


def summary_rows(summary: Sequence[Mapping[str, Any]],
                 reference: Sequence[Mapping[str, Any]] = (),
                 metrics: Sequence[str] | None = None, digits: int = 3
                 ) -> list[dict[str, str]]:
    """Printable rows: ``mean ± std`` per metric for aggregated rows (from
    :func:`rlvid.results.aggregate_seeds`), plain values for reference rows. E_warp and
    flicker are shown x 1000 (the column name says so)."""
    if metrics is None:
        present = {k for r in summary for k in r} | {f"{k}_mean" for r in reference for k in r}
        metrics = [m for m in STYLE_METRICS if f"{m}_mean" in present]
    order = {m: i for i, m in enumerate(METHOD_ORDER)}
    label = {m: f"{m} x1e3" if m in DISPLAY_SCALE else m for m in metrics}
    scale = {m: DISPLAY_SCALE.get(m, 1.0) for m in metrics}
    rows = []
    for r in sorted(summary, key=lambda r: order.get(r["method"], len(order))):
        rows.append({"method": r["method"], "seeds": str(r["seeds"]), **{
            label[m]: f"{r[m + '_mean'] * scale[m]:.{digits}f} ± "
                      f"{r[m + '_std'] * scale[m]:.{digits}f}" for m in metrics}})
    for r in reference:
        rows.append({"method": r["method"], "seeds": "-", **{
            label[m]: f"{r[m] * scale[m]:.{digits}f}" if m in r else "-" for m in metrics}})
    return rows


def comparison_sentences(summary: Sequence[Mapping[str, Any]], ours: str = OURS,
                         metrics: Sequence[str] | None = None) -> list[str]:
    """Plain statements, computed from aggregated rows, of where ``ours`` beats each other
    method on each metric (means over seeds), and whether the gap exceeds the two stds."""
    by = {r["method"]: r for r in summary}
    if ours not in by:
        return [f"{ours} has no results"]
    metrics = [m for m in (metrics or STYLE_METRICS) if f"{m}_mean" in by[ours]]
    lines = []
    for other in [m for m in METHOD_ORDER if m in by and m != ours]:
        wins, losses, ties = [], [], []
        for metric in metrics:
            a, b = by[ours][f"{metric}_mean"], by[other][f"{metric}_mean"]
            if a == b:
                ties.append(f"{metric} {a:.3g}")
                continue
            spread = by[ours][f"{metric}_std"] + by[other][f"{metric}_std"]
            better = a > b if STYLE_METRICS[metric] == "higher" else a < b
            clear = "" if abs(a - b) > spread else " (within the seeds' spread)"
            (wins if better else losses).append(f"{metric} {a:.3g} vs {b:.3g}{clear}")
        verdict = "beats" if not losses else "does not beat" if not wins else "is mixed against"
        tied = f"; equal on {', '.join(ties)}" if ties else ""
        lines.append(f"{ours} {verdict} {other}: better on {', '.join(wins) or 'nothing'}; "
                     f"not better on {', '.join(losses) or 'nothing'}{tied}.")
    return lines


def table_rows(dataset: str, rows: Sequence[Mapping[str, Any]],
               reference: Sequence[Mapping[str, Any]] = ()) -> list[dict[str, Any]]:
    """Rows for :func:`rlvid.results.write_table`: per-seed rows, then reference rows
    (which keep their ``kind``)."""
    return ([{"dataset": dataset, **r} for r in rows]
            + [{"dataset": dataset, "seed": "-", **r} for r in reference])


__all__ = [
    "HIGHER_IS_BETTER",
    "STYLE_METRICS",
    "StyleExperiment",
    "StyleJudge",
    "TWIN_FREE_METRICS",
    "colour_segmentation",
    "comparison_sentences",
    "content_kept",
    "dataset_evaluator",
    "evaluate_style",
    "fit_style_judge",
    "reference_rows",
    "run_style_experiment",
    "held_out_judge",
    "scaled_iterations",
    "STYLE_METHODS",
    "schedule_line",
    "style_config",
    "style_reached",
    "summary_rows",
    "table_rows",
    "twin_closeness",
]
