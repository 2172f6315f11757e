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
(:func:`twin_metrics`); the colour test needs a background mask.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
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
    from rlvid.train.v2v import load_translator

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
        data = load_v2v_dataset(ckpt.get("dataset", "synthetic"), cfg.data, seed=0)
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


METRIC_DIRECTIONS = {"bg_acc": "higher", "iou": "higher", "psnr": "higher", "ssim": "higher",
                     "ewarp": "lower"}


@dataclass
class Experiment:
    """Per-seed metric rows, seed-0 training histories, every translation of the test
    videos (``outputs[method][seed]``) and the run directories (``run_dirs[(method, seed)]``)."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    histories: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    outputs: dict[str, dict[int, torch.Tensor]] = field(default_factory=dict)
    run_dirs: dict[tuple[str, int], Path] = field(default_factory=dict)

    def model_path(self, method: str, seed: int) -> Path:
        """The saved translator of ``method`` (pretrain_only: rlv2v's pretrained snapshot)."""
        if method == "pretrain_only":
            return self.run_dirs[("rlv2v", seed)] / "pretrained.pt"
        return self.run_dirs[(method, seed)] / "model.pt"


def train_and_evaluate(cfg: Any, data: Any, x_test: torch.Tensor,
                       evaluate: Callable[[torch.Tensor], dict[str, Any]],
                       root: str | Path, dataset: str,
                       methods: Sequence[str] = ("rlv2v", "recycle", "cyclegan"),
                       fresh: bool = True) -> Experiment:
    """Train every method for every seed of ``cfg.seeds`` on ``data`` (anything with
    ``x, y, z, zbar``), translate ``x_test`` and score each translation with ``evaluate``.

    The pretrain-only ablation is the RL-V2V-GAN run's own pretrained snapshot (the same
    seed gives the same pretraining), so it costs no extra training; its ``train_s`` is the
    whole RL-V2V-GAN run's.
    """
    import shutil
    import time

    from rlvid.train.v2v import fit, load_translator

    root = Path(root)
    result = Experiment()
    for method in methods:
        for seed in cfg.seeds:
            run_dir = root / f"{dataset}-{method}-s{seed}"
            if fresh and run_dir.exists():
                shutil.rmtree(run_dir)
            start = time.perf_counter()
            fitted = fit(cfg, method, seed=seed, run_dir=run_dir, data=data, dataset=dataset)
            seconds = time.perf_counter() - start
            result.run_dirs[(method, seed)] = run_dir
            for name in [method] + (["pretrain_only"] if method == "rlv2v" else []):
                net, _ = load_translator(result.model_path(name, seed))
                out = translate_video(net, x_test)
                result.rows.append({"method": name, "seed": seed, "train_s": seconds,
                                    **evaluate(out)})
                result.outputs.setdefault(name, {})[seed] = out
                if seed == cfg.seeds[0]:
                    result.histories[name] = fitted.history
    return result


def run_experiment(cfg: Any, data: Any, root: str | Path,
                   methods: tuple[str, ...] = ("rlv2v", "recycle", "cyclegan"),
                   fresh: bool = True, dataset: str = "synthetic") -> dict[str, Any]:
    """The synthetic experiment: :func:`train_and_evaluate` on ``data.x_test`` scored by
    :func:`evaluate_translation`. Returns per-seed ``rows`` (metrics plus ``train_s``),
    ``histories`` and ``outputs`` (the first seed's translations) keyed by method.
    """
    result = train_and_evaluate(cfg, data, data.x_test,
                                lambda out: evaluate_translation(out, data), root, dataset,
                                methods, fresh)
    first = cfg.seeds[0]
    return {"rows": result.rows, "histories": result.histories,
            "outputs": {name: per_seed[first] for name, per_seed in result.outputs.items()}}


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
