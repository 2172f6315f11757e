"""Evaluation of a video translation against its twin ground truth (synthetic set), and
the windowed translation used by ``rlvid translate``.

Metrics per method (each averaged over the held-out videos):
- ``bg_acc``: background-colour accuracy, the paper's Figure 1 test. For every frame the
  mean colour of the output over the twin's background pixels is classified by its nearest
  reference colour among the twin's background colours (blue, red) and the source's (black);
  correct when it is the twin's colour for that frame. Also by frame position
  (``bg_acc_t``) and for the first and second half of the video.
- ``iou``: shape fidelity: pixels farther than 0.3 (RGB Euclidean) from the output's own
  background colour are the output's foreground; IoU against the twin's foreground mask.
- ``psnr`` / ``ssim``: against the twin (rlvid.metrics).
- ``ewarp``: flow warping error of the output, flows from the source video (Lai et al.).
Flowers and city reuse :func:`translate_video` and the PSNR/SSIM/E_warp part
(:func:`twin_metrics`); the colour test needs a background mask. Training every method
with every seed: :mod:`rlvid.v2v.experiment`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from rlvid.errors import RlvidError
from rlvid.metrics import psnr, ssim, warping_error
from rlvid.metrics.translation import mask_iou

FOREGROUND_DISTANCE = 0.3


@torch.no_grad()
def translate_video(net: torch.nn.Module, video: torch.Tensor, window: int | None = None
                    ) -> torch.Tensor:
    """Translate ``(T, 3, H, W)`` or ``(N, T, 3, H, W)`` in windows of ``window`` frames,
    carrying every ConvLSTM's state from one window to the next: in eval mode this equals
    one pass over the whole video, so long videos show no seam. Frame-based nets ignore state.
    """
    single = video.dim() == 4
    batch = video[None] if single else video
    net.eval()
    window = window or batch.shape[1]
    state, outputs = None, []
    for start in range(0, batch.shape[1], window):
        out, state = net(batch[:, start:start + window], state=state, return_state=True)
        outputs.append(out)
    out = torch.cat(outputs, dim=1)
    return out[0] if single else out


def background_colours(videos: torch.Tensor, fg: torch.Tensor) -> torch.Tensor:
    """Mean colour over background pixels, per frame: (N, T, 3, H, W) -> (N, T, 3)."""
    bg = (~fg.bool()).float()  # (N, T, 1, H, W)
    return (videos * bg).sum(dim=(-1, -2)) / bg.sum(dim=(-1, -2)).clamp_min(1.0)


def _palette(colours: torch.Tensor, tol: float = 0.05) -> torch.Tensor:
    """Distinct colours of a (K, 3) list (greedy, within ``tol``)."""
    out: list[torch.Tensor] = []
    for c in colours:
        if all(float((c - o).norm()) > tol for o in out):
            out.append(c)
    return torch.stack(out)


def background_accuracy(output: torch.Tensor, twin: torch.Tensor, twin_fg: torch.Tensor,
                        source: torch.Tensor, source_fg: torch.Tensor) -> torch.Tensor:
    """(N, T) bool: is each output frame's background nearest to the twin's colour?"""
    out_bg = background_colours(output, twin_fg)
    twin_bg = background_colours(twin, twin_fg)
    src_bg = background_colours(source, source_fg)
    palette = _palette(torch.cat([twin_bg.flatten(0, 1), src_bg.flatten(0, 1)]))
    nearest_out = torch.cdist(out_bg.flatten(0, 1), palette).argmin(dim=1)
    nearest_twin = torch.cdist(twin_bg.flatten(0, 1), palette).argmin(dim=1)
    return (nearest_out == nearest_twin).view(out_bg.shape[:2])


def foreground(output: torch.Tensor, reference_fg: torch.Tensor) -> torch.Tensor:
    """Output pixels far from the output's own background colour (N, T, 1, H, W); the
    background colour is the output's mean outside ``reference_fg``."""
    bg = background_colours(output, reference_fg)[..., None, None]
    return (output - bg).norm(dim=2, keepdim=True) > FOREGROUND_DISTANCE


def twin_metrics(output: torch.Tensor, twin: torch.Tensor, source: torch.Tensor
                 ) -> dict[str, float]:
    """PSNR and SSIM against the twin, and E_warp of the output with the source's flow."""
    return {
        "psnr": float(psnr(output.flatten(0, 1), twin.flatten(0, 1))),
        "ssim": float(ssim(output.flatten(0, 1), twin.flatten(0, 1))),
        "ewarp": float(warping_error(output, reference=source).mean()),
    }


def evaluate_translation(output: torch.Tensor, data: Any) -> dict[str, Any]:
    """All metrics of a translation ``output`` of ``data.x_test`` (N, T, 3, H, W)."""
    output = output.float().cpu()
    correct = background_accuracy(output, data.x_test_twin, data.twin_fg, data.x_test,
                                  data.x_test_fg).float()
    half = correct.shape[1] // 2
    ious = [mask_iou(foreground(o[None], f[None]), f[None])
            for o, f in zip(output, data.twin_fg)]
    return {"bg_acc": float(correct.mean()),
            "bg_acc_first_half": float(correct[:, :half].mean()),
            "bg_acc_second_half": float(correct[:, half:].mean()),
            "bg_acc_t": [round(float(c), 4) for c in correct.mean(dim=0)],
            "iou": sum(ious) / len(ious),
            **twin_metrics(output, data.x_test_twin, data.x_test)}


def evaluate_model(path: str | Path, data: Any) -> dict[str, Any]:
    """Load a saved translator (``model.pt``/``pretrained.pt``) and evaluate it on ``data``."""
    from rlvid.v2v.train import load_translator

    net, _ = load_translator(path)
    return evaluate_translation(translate_video(net, data.x_test), data)


def evaluate_run(run_dir: str | Path, data: Any = None) -> list[dict[str, Any]]:
    """Evaluate a finished run directory (and its pretrained snapshot for RL-V2V-GAN)."""
    from rlvid.config import load_config
    from rlvid.runtime import load_checkpoint, write_json

    run_dir = Path(run_dir)
    model = run_dir / "model.pt"
    if not model.is_file():
        raise RlvidError(f"{run_dir} holds no finished run (no model.pt); train or resume first")
    ckpt = load_checkpoint(run_dir / "checkpoint.pt", restore_rng=False) \
        if (run_dir / "checkpoint.pt").is_file() else {}
    meta = load_checkpoint(model, restore_rng=False)
    if data is None:
        from rlvid.data import load_v2v_dataset

        cfg = load_config(meta["profile"])
        data = load_v2v_dataset(ckpt.get("dataset", "synthetic"), cfg.data,
                                seed=cfg.v2v.data_seed)
    rows = [{"method": meta["method"], "seed": ckpt.get("seed"),
             **evaluate_model(model, data)}]
    if meta["method"] == "rlv2v" and (run_dir / "pretrained.pt").is_file():
        rows.append({"method": "pretrain_only", "seed": ckpt.get("seed"),
                     **evaluate_model(run_dir / "pretrained.pt", data)})
    write_json(run_dir / "eval.json", rows)
    return rows


def reference_rows(data: Any) -> list[dict[str, Any]]:
    """Context rows: the twin itself (the best possible output) and the untranslated source."""
    return [{"method": "twin (upper bound)", **evaluate_translation(data.x_test_twin, data)},
            {"method": "identity (source)", **evaluate_translation(data.x_test, data)}]


def scalar_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows without ``bg_acc_t`` (a list per frame): what tables and summaries hold."""
    return [{k: v for k, v in r.items() if k != "bg_acc_t"} for r in rows]


def table_rows(rows: list[dict[str, Any]], reference: list[dict[str, Any]],
               dataset: str = "synthetic") -> list[dict[str, Any]]:
    """Rows for :func:`rlvid.results.write_table`: per-seed rows, then the reference rows
    without PSNR (the twin's is infinite)."""
    return ([{"dataset": dataset, **r} for r in scalar_rows(rows)]
            + [{"dataset": dataset, "seed": "-", **{k: v for k, v in r.items() if k != "psnr"}}
               for r in scalar_rows(reference)])


METRIC_DIRECTIONS = {"bg_acc": "higher", "iou": "higher", "psnr": "higher", "ssim": "higher",
                     "ewarp": "lower"}


def comparison_sentences(summary: list[dict[str, Any]], ours: str = "rlv2v") -> list[str]:
    """Plain statements, computed from aggregated rows, of where ``ours`` beats each other
    method (mean over seeds, with the std) and where it does not."""
    by = {r["method"]: r for r in summary}
    if ours not in by:
        return [f"{ours} has no results"]
    lines = []
    for other, row in by.items():
        if other == ours or "(" in other:
            continue
        wins, losses = [], []
        for metric, direction in METRIC_DIRECTIONS.items():
            a, b = by[ours][f"{metric}_mean"], row[f"{metric}_mean"]
            better = a > b if direction == "higher" else a < b
            (wins if better else losses).append(f"{metric} {a:.4g} vs {b:.4g}")
        verdict = ("beats" if not losses else "does not beat" if not wins
                   else "is mixed against")
        lines.append(f"{ours} {verdict} {other}: better on {', '.join(wins) or 'nothing'}; "
                     f"not better on {', '.join(losses) or 'nothing'}.")
    return lines
