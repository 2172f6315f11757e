"""Notebook helpers: inline video, frame grid, axis labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rlvid.book.viz import frame_grid, show_video  # noqa: E402
from rlvid.metrics.demo import demo_video, perturb  # noqa: E402


def test_show_video_is_stable_html_and_closes_its_figure():
    video = demo_video(16, 3, seed=0)
    before = plt.get_fignums()
    first = show_video([video, video[:2]], titles=["a", "b"], fps=4)
    again = show_video([video, video[:2]], titles=["a", "b"], fps=4)
    assert first.data == again.data  # content-derived ids: same input, same HTML
    assert first.data.count("data:image/png;base64") == 3  # one embedded image per frame
    assert "http" not in first.data and "<link" not in first.data  # nothing fetched
    assert 'class="fa' not in first.data and "\u25b6" in first.data  # glyph buttons
    assert show_video(perturb(video, "noise", 0.1)).data != first.data
    assert plt.get_fignums() == before
    with pytest.raises(ValueError, match="2 titles for 1 videos"):
        show_video(video, titles=["a", "b"])


def test_frame_grid_layout():
    video = demo_video(16, 12, seed=0)
    fig = frame_grid({"clean": video, "short": video[:3]}, max_frames=4)
    axes = fig.axes
    assert len(axes) == 8
    assert [ax.get_title() for ax in axes[:4]] == ["t=0", "t=4", "t=7", "t=11"]
    assert len(axes[5].images) == 0  # the short row has no frame 4
    plt.close(fig)


def test_metric_labels_name_unit_backend_and_direction():
    from rlvid.book.viz import backend_names, metric_label

    b = backend_names()
    assert metric_label("psnr") == "PSNR (dB) ↑"
    assert metric_label("perceptual") == f"{b['perceptual']} distance ↓"
    assert metric_label("ewarp", 1e3) == f"E_warp ({b['flow']}) ×1000 ↓"
    assert metric_label("unknown") == "unknown"


def test_method_panels_points_intervals_and_reference_lines():
    from rlvid.book.viz import method_panels

    rows = [{"method": m, "seed": s, "ssim": v, "ewarp": v / 100}
            for m, vals in (("a", [0.5, 0.6, 0.7]), ("b", [0.2, 0.2, 0.2])) for s, v in
            enumerate(vals)]
    fig = method_panels(rows, ["ssim", "ewarp"], reference_rows=[{"method": "twin", "ssim": 1.0,
                                                                  "ewarp": None}],
                        scale={"ewarp": 1e3})
    ssim_ax, ewarp_ax = fig.axes[:2]
    assert ssim_ax.get_xlabel() == "SSIM ↑" and "×1000" in ewarp_ax.get_xlabel()
    assert [t.get_text() for t in ssim_ax.get_yticklabels()] == ["a", "b"]
    # the mean of "a" with its 95% t half-width: t(0.975, 2) * 0.1 / sqrt(3)
    bars = ssim_ax.containers[0]
    (x0, _), (x1, _) = bars.lines[2][0].get_segments()[0]
    assert x1 - x0 == pytest.approx(2 * 4.302652729749464 * 0.1 / 3 ** 0.5)
    assert any(line.get_label() == "twin" for line in ssim_ax.get_lines())
    assert not any(line.get_label() == "twin" for line in ewarp_ax.get_lines())
    plt.close(fig)


def test_method_points_clip_an_interval_to_the_metric_range():
    import matplotlib.pyplot as plt

    from rlvid.book.viz import method_points

    fig, ax = plt.subplots()
    method_points(ax, {"a": [0.9, 1.0, 0.98]}, bounds=(0.0, 1.0))
    (bars,) = ax.containers[0].lines[2]  # the x error bar's line collection
    (segment,) = bars.get_segments()
    assert segment[:, 0].max() == 1.0 and segment[:, 0].min() > 0.8
    plt.close(fig)
