"""Notebook helpers: inline video, frame grid, tables."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from rlvid.metrics.demo import demo_video, perturb  # noqa: E402
from rlvid.viz import frame_grid, show_video, table  # noqa: E402


def test_show_video_is_stable_html_and_closes_its_figure():
    video = demo_video(16, 3, seed=0)
    before = plt.get_fignums()
    first = show_video([video, video[:2]], titles=["a", "b"], fps=4)
    again = show_video([video, video[:2]], titles=["a", "b"], fps=4)
    assert first.data == again.data  # content-derived ids: same input, same HTML
    assert first.data.count("data:image/png;base64") == 3  # one embedded image per frame
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


def test_table_text_and_html():
    rows = [{"metric": "psnr", "value": 20.0}, {"metric": "ssim", "value": 0.000123456, "x": None}]
    text = str(table(rows))
    assert text.splitlines() == [
        "metric      value  x",
        "------  ---------  -",
        "  psnr    20.0000  -",
        "  ssim  0.0001235  -",
    ]
    assert "<th>value</th>" in table(rows)._repr_html_()
