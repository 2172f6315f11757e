"""Reference rows of every V2V table: what outputs that do not do the task score, and what
the ground truth scores, evaluated by the same function as every method.

- ``identity``: the untranslated source (content, no translation), trivial;
- ``flat``: the best flat output: each frame filled with the correct target colour
  (synthetic: the twin's background colour of that frame) or with the target domain's mean
  colour (style data: the mean of every pixel of the Y training frames);
- ``shuffled source``: the source with its frames in a random order (no translation, no
  order). Not the shuffled twin: that row holds the answer's shapes, which no trivial
  output can know; the toolkit page shows it as a check that the temporal metric sees
  order (errata: metrics);
- ``unrelated Y video``: real target-domain videos in place of the output (the target's
  look, the wrong content);
- ``twin``: the target ground truth, ``kind`` "upper bound".

Every claim's primary metric scores each trivial row at its floor, 0 (a test shows it);
:func:`rlvid.claims.judge` reads a claim as "not tested" when its winning arm does not beat
the best trivial row. The Figure 1 check (a frame-only classifier is near chance):
:func:`frame_only_accuracy`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import torch

from rlvid.metrics.translation import classifier_accuracy, fit_frame_classifier
from rlvid.results import TRIVIAL, UPPER_BOUND
from rlvid.v2v.evaluate import background_colours, evaluate_translation

# metric -> higher is better, for the synthetic table (the primary metrics first)
SYNTHETIC_METRICS: dict[str, bool] = {
    "gated_acc": True, "coherent_pairs": True, "tdiff": False, "iou": True,
    "perceptual": False, "ssim": True, "psnr": True, "bg_acc": True, "ewarp": False}
SHUFFLE_SEED = 0  # the permutation of the shuffled rows (fixed: the row is deterministic)


def shuffle_time(videos: torch.Tensor, seed: int = SHUFFLE_SEED) -> torch.Tensor:
    """(N, T, ...) videos with each video's frames in its own random order."""
    gen = torch.Generator().manual_seed(seed)
    return torch.stack([v[torch.randperm(v.shape[0], generator=gen)] for v in videos])


def flat_synthetic(data: Any) -> torch.Tensor:
    """Each test frame filled with the twin's background colour of that frame: the right
    colour at the right time, and no shape."""
    colours = background_colours(data.x_test_twin, data.twin_fg)  # (N, T, 3)
    return colours[..., None, None].expand_as(data.x_test_twin).clone()


def flat_mean_colour(target: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """Every pixel of a video shaped like ``like`` (N, T, 3, H, W) set to the target
    domain's mean colour (over all pixels of ``target`` (..., 3, H, W) frames). Flat: no
    structure at all. (The target's mean *image* is not flat: on flowers it holds the
    average flower, which matches a blooming twin in some frames; errata: metrics.)"""
    mean = target.reshape(-1, 3, *target.shape[-2:]).float().mean(dim=(0, 2, 3))
    return mean.view(3, 1, 1).expand_as(like).clone()


def _row(name: str, kind: str, metrics: Mapping[str, Any], dataset: str) -> dict[str, Any]:
    keep = {k: v for k, v in metrics.items()
            if not (isinstance(v, float) and math.isinf(v)) and not isinstance(v, list)}
    where = {"dataset": dataset} if dataset else {}
    return {**where, "method": name, "seed": "-", "kind": kind, **keep}


def reference_videos(data: Any, flat: torch.Tensor,
                     extra: Mapping[str, torch.Tensor] | None = None
                     ) -> list[tuple[str, str, torch.Tensor]]:
    """(name, kind, videos) of every reference row: the twin, the trivial rows (identity,
    ``flat``, the time-shuffled source, unrelated Y test videos) and ``extra`` trivial ones."""
    refs = [("twin", UPPER_BOUND, data.x_test_twin),
            ("identity", TRIVIAL, data.x_test),
            ("flat", TRIVIAL, flat),
            ("shuffled source", TRIVIAL, shuffle_time(data.x_test)),
            ("unrelated Y video", TRIVIAL, unrelated_target(data))]
    return refs + [(name, TRIVIAL, v) for name, v in (extra or {}).items()]


def unrelated_target(data: Any) -> torch.Tensor:
    """Real target-domain test videos, as many as there are source test videos (cycled),
    in place of a translation: the target's look, somebody else's content."""
    n = data.x_test.shape[0]
    idx = torch.arange(n) % data.y_test.shape[0]
    return data.y_test[idx].to(data.x_test.dtype)


def reference_rows(videos: Sequence[tuple[str, str, torch.Tensor]],
                   evaluate: Callable[[torch.Tensor], Mapping[str, Any]],
                   dataset: str = "") -> list[dict[str, Any]]:
    """One deterministic row per reference video, scored by ``evaluate`` (infinite values,
    the twin's PSNR, and per-frame lists are left out)."""
    return [_row(name, kind, evaluate(v), dataset) for name, kind, v in videos]


def synthetic_reference_rows(data: Any) -> list[dict[str, Any]]:
    """The synthetic table's reference rows (the twin, identity, the right colour flat,
    shuffled, unrelated Y videos), scored by the table's own evaluation."""
    return reference_rows(reference_videos(data, flat_synthetic(data)),
                          lambda video: evaluate_translation(video, data), "synthetic")


def frame_only_accuracy(train: torch.Tensor, test: torch.Tensor, steps: int = 1500,
                        seed: int = 0, lr: float = 2e-3) -> tuple[float, float]:
    """The Figure 1 rule, measured: a per-frame CNN (:class:`DomainClassifier`) learns
    whether a source frame belongs to the blue half (2t < T) from ``train`` videos
    (N, T, 3, H, W); returns its accuracy on the training frames and on the frames of the
    held-out ``test`` videos (other videos: no frame of a test video is seen in training).
    Near 0.5 on test means a frame alone does not tell its colour."""
    frames = train.shape[1]
    label = (2 * torch.arange(frames) >= frames).float()
    x_train, y_train = train.flatten(0, 1).float(), label.repeat(train.shape[0])
    x_test, y_test = test.flatten(0, 1).float(), label.repeat(test.shape[0])
    model = fit_frame_classifier(x_train, y_train, steps, seed, lr=lr)
    return classifier_accuracy(model, x_train, y_train), classifier_accuracy(model, x_test, y_test)


# ---------------------------------------------------------------- do the metrics separate?

def stand_ins(data: Any, noise: float = 0.05, seed: int = 0) -> dict[str, torch.Tensor]:
    """Outputs that keep the content, each a little wrong: the twin with Gaussian noise
    (std ``noise``), and the twin with one frame (the last blue one) replaced by the next
    (a wrong colour on one frame, the Figure 1 mistake made once)."""
    gen = torch.Generator().manual_seed(seed)
    twin = data.x_test_twin
    noisy = (twin + noise * torch.randn(twin.shape, generator=gen)).clamp(0, 1)
    one_wrong = twin.clone()
    k = (twin.shape[1] - 1) // 2  # the last frame with 2t < T
    one_wrong[:, k] = twin[:, k + 1]
    return {f"twin + noise {noise:g}": noisy, "twin, one frame wrong": one_wrong}


def metric_check(data: Any, evaluate: Callable[[torch.Tensor], Mapping[str, Any]],
                 metrics: Mapping[str, bool]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Score the twin, the content-keeping :func:`stand_ins`, the trivial rows and the
    shuffled twin (a diagnostic: every frame right, order wrong) with ``evaluate``; then, per
    metric, whether it ranks the twin first and every trivial row below every stand-in.
    Returns (score rows, check rows)."""
    videos = {"twin": ("upper bound", data.x_test_twin),
              **{k: ("content kept", v) for k, v in stand_ins(data).items()},
              **{n: (kind, v) for n, kind, v in reference_videos(data, flat_synthetic(data))
                 if kind == TRIVIAL},
              "shuffled twin": ("diagnostic", shuffle_time(data.x_test_twin))}
    scores = [{"output": name, "kind": kind, **{m: v for m, v in evaluate(video).items()
                                               if m in metrics}}
              for name, (kind, video) in videos.items()]
    kept_names = [r["output"] for r in scores if r["kind"] == "content kept"]
    checks = []
    for m, higher in metrics.items():
        sign = 1.0 if higher else -1.0
        value = {r["output"]: sign * float(r[m]) for r in scores if m in r}
        if not value:
            continue
        free = max(value[r["output"]] for r in scores if r["kind"] == TRIVIAL)
        row: dict[str, Any] = {"metric": m, "twin first": all(value["twin"] >= v
                                                              for v in value.values())}
        for name in kept_names:  # each stand-in above every trivial row?
            row[f"{name} above trivial"] = value[name] > free
        row[f"shuffled twin below {kept_names[0]}"] = value["shuffled twin"] < value[kept_names[0]]
        checks.append(row)
    return scores, checks


def reference_spread(data_cfg: Any, seeds: Sequence[int], metrics: Sequence[str] = ("iou", "tdiff")
                     ) -> list[dict[str, Any]]:
    """Issue 13 item 6: twin, identity and flat scored on the synthetic test sets of several
    data seeds; per metric, each row's mean and std over them, and the smallest gap between
    two of the rows in units of the largest std (>= 3: the frame size separates them)."""
    from rlvid.data import load_v2v_dataset
    from rlvid.v2v.evaluate import evaluate_translation

    values: dict[str, dict[str, list[float]]] = {}
    for seed in seeds:
        data = load_v2v_dataset("synthetic", data_cfg, seed=seed)
        for name, video in (("twin", data.x_test_twin), ("identity", data.x_test),
                            ("flat", flat_synthetic(data))):
            row = evaluate_translation(video, data, perceptual=None)
            for m in metrics:
                values.setdefault(m, {}).setdefault(name, []).append(float(row[m]))
    out = []
    for m, by in values.items():
        stats = {k: (float(torch.tensor(v).mean()), float(torch.tensor(v).std()))
                 for k, v in by.items()}
        means = sorted(mu for mu, _ in stats.values())
        gap = min(b - a for a, b in zip(means, means[1:]))
        spread = max(sd for _, sd in stats.values())
        out.append({"metric": m, "size": data_cfg.size, "seeds": len(seeds),
                    **{f"{k} mean": mu for k, (mu, _) in stats.items()},
                    **{f"{k} std": sd for k, (_, sd) in stats.items()},
                    "smallest gap / largest std": gap / spread if spread else math.inf})
    return out
