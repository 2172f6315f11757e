"""The real-footage page's tables and sentences (notebook 14): a translated or inpainted
photograph pan scored without a twin, beside reference rows that no model produced."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F

from rlvid.book.display import html_table
from rlvid.book.viz import metric_label
from rlvid.metrics import warping_error
from rlvid.metrics.translation import edge_ssim, flicker, luminance
from rlvid.results import ROW_KINDS, TRIVIAL, UPPER_BOUND

TRANSLATION_METRICS = {"edge_ssim": True, "ewarp_x1e3": False, "flicker_x1e3": False}
INPAINT_METRICS = {"hidden_mse": False, "hidden_psnr": True, "ssim": True}
HEADERS = {"edge_ssim": metric_label("edge_ssim"), "ewarp_x1e3": metric_label("ewarp", 1e3),
           "flicker_x1e3": metric_label("flicker", 1e3), "mean_luma": "mean luma",
           "hidden_mse": metric_label("hidden_mse"), "hidden_psnr": "hidden-pixel PSNR (dB) ↑",
           "ssim": "SSIM, fill in place ↑", "visible_mse": "visible-pixel change (MSE)"}


def _look(video: torch.Tensor, clip: torch.Tensor) -> dict[str, float]:
    """The twin-free measures of ``clip`` against the input ``video``."""
    return {"edge_ssim": edge_ssim(video, clip),
            "ewarp_x1e3": 1e3 * float(warping_error(clip, video)),
            "flicker_x1e3": 1e3 * flicker(clip),
            "mean_luma": float(luminance(clip).mean())}


def translation_rows(video: torch.Tensor, translated: torch.Tensor, model_size: int,
                     label: str, seed: int) -> tuple[list[dict], list[dict]]:
    """Our translation's row and the reference rows: trivial ones (the input, a flat video
    of each frame's mean colour, our output shuffled in time) and the upper bound (the
    input at the model's size and back)."""
    height, width = video.shape[-2:]
    down_up = F.interpolate(F.interpolate(video, size=(model_size, model_size), mode="area"),
                            size=(height, width), mode="bilinear",
                            align_corners=False).clamp(0, 1)
    flat = video.mean(dim=(2, 3), keepdim=True).expand_as(video)
    order = torch.randperm(len(translated), generator=torch.Generator().manual_seed(0))
    rows = [{"method": label, "seed": seed, **_look(video, translated)}]
    refs = [{"method": "input (identity)", "kind": TRIVIAL, **_look(video, video)},
            {"method": "flat (frame mean colour)", "kind": TRIVIAL, **_look(video, flat)},
            {"method": "our output, shuffled in time", "kind": TRIVIAL,
             **_look(video, translated[order])},
            {"method": f"input at {model_size} px and back", "kind": UPPER_BOUND,
             **_look(video, down_up)}]
    refs = [{**r, "seed": "-"} for r in refs]
    return rows, refs


def _columns(metrics: Sequence[str]) -> dict[str, str]:
    return {"method": "method", **{m: HEADERS[m] for m in metrics}}


def translation_table(rows: Sequence[Mapping[str, Any]], refs: Sequence[Mapping[str, Any]]
                      ) -> Any:
    return html_table(rows, reference_rows=refs,
                      columns=_columns([*TRANSLATION_METRICS, "mean_luma"]),
                      caption="Translation of the pan video: measures that need no twin",
                      notes="flows from the input video; without a twin a trivial row can "
                            "win each measure (the input keeps every edge, a flat video "
                            "never flickers): read them against the trivial rows")


def translation_sentences(rows: Sequence[Mapping[str, Any]], refs: Sequence[Mapping[str, Any]],
                          video: torch.Tensor, translated: torch.Tensor) -> list[str]:
    """What the translation table says, in sentences computed from it."""
    ours = rows[0]
    ident = next(r for r in refs if r["method"].startswith("input (identity)"))
    small = next(r for r in refs if r["kind"] == UPPER_BOUND)
    out_luma = luminance(translated).mean(dim=(1, 2, 3)).tolist()
    in_luma = luminance(video).mean(dim=(1, 2, 3)).tolist()
    keeps = ("keeps less structure than the resolution alone allows."
             if ours["edge_ssim"] < small["edge_ssim"]
             else "keeps as much structure as its resolution allows.")
    return [
        f"Content: edge SSIM {ours['edge_ssim']:.3f}, against {small['edge_ssim']:.3f} for "
        f"the {small['method']}: the translator {keeps}",
        f"Steadiness: E_warp ×1000 {ours['ewarp_x1e3']:.3g} against "
        f"{ident['ewarp_x1e3']:.3g} for the input: the output is "
        + ("less" if ours["ewarp_x1e3"] > ident["ewarp_x1e3"] else "no less")
        + " temporally coherent than the footage itself.",
        f"Flicker ×1000 {ours['flicker_x1e3']:.3g} against {ident['flicker_x1e3']:.3g} for "
        "the input: the output's overall colour changes "
        + ("more" if ours["flicker_x1e3"] > ident["flicker_x1e3"] else "no more")
        + " from frame to frame than the footage's.",
        f"Look: mean luma {ours['mean_luma']:.3f} against {ident['mean_luma']:.3f} in the "
        "input (" + ("darker" if ours["mean_luma"] < ident["mean_luma"] else "not darker")
        + f"); frame by frame the output's mean luma goes from {out_luma[0]:.3f} (first "
        f"frame) to {out_luma[-1]:.3f} (last), the input's from {in_luma[0]:.3f} to "
        f"{in_luma[-1]:.3f}.",
    ]


def inpaint_rows(label: str, seed: int, ours: Mapping[str, float],
                 fills: Mapping[str, Mapping[str, float]]
                 ) -> tuple[list[dict], list[dict]]:
    """Our fill's row and the reference fills' rows, each with its kind (copy-nearest and
    Telea: baselines; the mean fill and the unfilled input: trivial)."""
    rows = [{"method": label, "seed": seed, **ours}]
    refs = [{"method": name, "seed": "-", "kind": ROW_KINDS[name], **s}
            for name, s in fills.items()]
    return rows, refs


def inpaint_table(rows: Sequence[Mapping[str, Any]], refs: Sequence[Mapping[str, Any]],
                  hidden_share: float) -> Any:
    metrics = [m for m in HEADERS if m in rows[0] and m not in TRANSLATION_METRICS]
    return html_table(rows, reference_rows=refs, columns=_columns(metrics),
                      caption=f"Inpainting the pan video: {hidden_share:.1%} of pixels hidden "
                              "in drifting boxes",
                      notes="reference rows are fills that need no training: "
                            "copy-nearest-visible and Telea are baselines (they inpaint), the "
                            "mean fill and the unfilled input are trivial",
                      reference_label="reference fills (not trained)")
