"""The flower, city and your-videos pages (notebooks 11-13) as one page, shown section by
section. A notebook picks its data (:class:`TwinPage`: a procedural dataset whose every
test video has a twin; :class:`FolderPage`: four folders of videos, no twin), writes the
narrative, and calls one method per section, in order: every table, figure and printed
line of those pages comes from here. The city page's long video is :class:`LongVideo`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import torch
from IPython.display import display

from rlvid.book.display import show_table
from rlvid.book.figures import v2v_training_curves, window_seams_plot
from rlvid.book.findings import show_answer
from rlvid.book.html_blocks import show_claims, show_definitions
from rlvid.book.pages.v2v import SCALE, result_table, show_learning_curves
from rlvid.book.report import method_table, seams_table, training_times
from rlvid.book.viz import frame_grid, method_panels, show_video
from rlvid.claims.judge import evaluate_claims
from rlvid.errors import RlvidError
from rlvid.metrics import metric_backends
from rlvid.results import add_budget_ratios, results_dir, write_table
from rlvid.v2v.experiment import Experiment
from rlvid.v2v.methods import OURS
from rlvid.v2v.style import (
    HIGHER_IS_BETTER,
    METHOD_ORDER,
    STYLE_METHODS,
    TWIN_FREE_METRICS,
    StyleJudge,
    dataset_evaluator,
    evaluate_style,
    fit_style_judge,
    held_out_judge,
    reference_rows,
    run_style_experiment,
    schedule_line,
    style_config,
    table_rows,
)

BACKEND_LABELS = {"perceptual": "perceptual", "flow": "E_warp flow"}  # result table notes
FPS = 4  # the test video's animation
LONG_ANIMATION_FRAMES = 48  # the long video's animation plays these first frames


class StylePage(ABC):
    """One style page: its configuration and data, then what each section computes
    (judge, reference rows, experiment, rows) for the sections after it. The subclasses
    say how the data are read, judged and labelled."""

    data: Any  # x, y, z, zbar, x_test, y_test (twin pages: x_test_twin, twin_fg too)
    dataset: str  # run directories and the rows' dataset
    table: str  # the result table written
    reference_metrics: Sequence[str]  # the reference table's columns
    panel_metrics: Sequence[str]  # Figure 2's panels
    clips: str  # what the page calls its test items: videos or clips
    judge: StyleJudge
    evaluate: Callable[[torch.Tensor], dict[str, float]]
    reference: list[dict[str, Any]]
    experiment: Experiment
    rows: list[dict[str, Any]]  # per-seed rows with budget ratios
    backends: dict[str, str]

    def __init__(self, profile: str, seeds: Sequence[int] | None,
                 iterations_share: float | None) -> None:
        self.cfg, self.share = style_config(profile, seeds, iterations_share)
        torch.set_num_threads(self.cfg.torch_threads or 1)
        self.video_len = self.cfg.data.video_len

    # ------------------------------------------------------------ what a page differs in

    @abstractmethod
    def set_labels(self) -> dict[str, str]:
        """Row labels of Figure 1, per training set (x, y, z, zbar)."""

    def twin(self) -> dict[str, torch.Tensor]:
        """The first test video's twin under the label "twin", or nothing."""
        return {}

    @abstractmethod
    def table_rows(self) -> list[dict[str, Any]]:
        """The rows written and shown: per-seed rows, then the reference rows."""

    @abstractmethod
    def used_backends(self) -> dict[str, str]:
        """The backend of each metric in the table, for its provenance and notes."""

    @abstractmethod
    def table_notes(self) -> str:
        """The notes written with the result table."""

    # ------------------------------------------------------------ the sections

    def show_data(self) -> None:
        """Figure 1: one training video of each set (Z̄: still images)."""
        d, labels = self.data, self.set_labels()
        frame_grid({labels["x"]: d.x[0], labels["y"]: d.y[0], labels["z"]: d.z[0],
                    labels["zbar"]: d.zbar[:self.video_len]})
        plt.show()

    def _show_reference(self) -> None:
        """The judge, and what the reference videos score."""
        show_definitions({"domain classifier": self.judge.describe()})
        display(method_table([], self.reference, list(self.reference_metrics),
                             caption=f"What the reference {self.clips} score"))

    def train(self) -> None:
        """Every method with every seed (run directories under the build folder), and the
        training time each took."""
        runs = results_dir(self.cfg.profile).parent / "runs" / "v2v"
        self.experiment = run_style_experiment(self.cfg, self.data, self.data.x_test,
                                               self.evaluate, runs, dataset=self.dataset,
                                               methods=STYLE_METHODS)
        self.rows = add_budget_ratios(self.experiment.rows, OURS)
        display(training_times(self.experiment.rows))

    def write_table(self) -> None:
        """Write the result table (JSON and CSV, the metric backends named)."""
        self.backends = self.used_backends()
        write_table(self.table, self.table_rows(), self.cfg, self.backends,
                    notes=self.table_notes())

    def show_results(self, caption: str) -> None:
        """Figure 2 (each method's score per metric, seeds and reference rows), then the
        result tables."""
        method_panels(self.rows, list(self.panel_metrics), order=METHOD_ORDER,
                      reference_rows=self.reference, scale=SCALE)
        plt.show()
        notes = "; ".join(f"{label}: {self.backends[k]}" for k, label in BACKEND_LABELS.items()
                          if k in self.backends)
        display(result_table(self.table_rows(), HIGHER_IS_BETTER, caption=caption,
                             notes=notes))

    def first_outputs(self) -> dict[str, torch.Tensor]:
        """The first test video as each method translated it with the first seed."""
        return self.experiment.first_videos(self.cfg.seeds[0], METHOD_ORDER)

    def show_samples(self) -> None:
        """Figure 3: the training domains, then the first test video, its twin (if any) and
        each method's output."""
        d, t = self.data, self.video_len
        frame_grid({"X": d.x[1 % len(d.x)], "Y": d.y[1 % len(d.y)], "Z": d.z[1 % len(d.z)],
                    "Z̄": d.zbar[t:2 * t], "source": d.x_test[0], **self.twin(),
                    **self.first_outputs()})
        plt.show()

    def show_animation(self) -> None:
        """The first test video, its twin (if any) and each output as one animation."""
        videos = {"source": self.data.x_test[0], **self.twin(), **self.first_outputs()}
        display(show_video(list(videos.values()), titles=list(videos), fps=FPS))

    def show_training_curves(self) -> None:
        """Figure 4: the first seed's training curves."""
        v2v_training_curves(self.experiment.histories)
        plt.show()


class TwinPage(StylePage):
    """A procedural dataset (flowers, city) whose every test video has a twin: the style
    judge is trained on an independent copy, and the paper's claims are judged."""

    TABLES = {"flowers": "flower", "city": "city"}

    def __init__(self, dataset: str, profile: str, seeds: Sequence[int] | None,
                 iterations_share: float | None, content: Sequence[str]) -> None:
        """``content``: the content-kept metrics the page explains, in this order in the
        reference table; the last one is a panel of Figure 2."""
        from rlvid.data import load_v2v_dataset

        super().__init__(profile, seeds, iterations_share)
        print(schedule_line(self.cfg, self.share))
        self.dataset, self.table, self.clips = dataset, self.TABLES[dataset], "videos"
        self.reference_metrics = (*content, "target_share", "colour_fd", "perceptual", "ssim",
                                  "ewarp", "flicker")
        self.panel_metrics = ("gated_share", "coherent_pairs", content[-1], "target_share",
                              "tdiff", "perceptual")
        self.data = load_v2v_dataset(dataset, self.cfg.data, seed=self.cfg.v2v.data_seed)

    def set_labels(self) -> dict[str, str]:
        from rlvid.data import DOMAINS

        names = DOMAINS[self.dataset]
        return {"x": f"X: {names['x']}", "y": f"Y: {names['y']}", "z": f"Z: {names['z']}",
                "zbar": "Z̄: style images"}

    def twin(self) -> dict[str, torch.Tensor]:
        return {"twin": self.data.x_test_twin[0]}

    def table_rows(self) -> list[dict[str, Any]]:
        return [{"dataset": self.dataset, **r} for r in self.rows] + self.reference

    def used_backends(self) -> dict[str, str]:
        return {**metric_backends(), "domain_classifier": self.judge.describe()}

    def table_notes(self) -> str:
        return (f"per-seed rows, then reference rows (kind; the twin's PSNR is infinite, left "
                f"out); iterations share {self.share:g} of the profile's")

    def show_answer(self) -> None:
        """The committed ``cpu`` run's verdicts on this page's claims."""
        show_answer((self.table,))

    def fit_judge(self) -> None:
        """The style judge (trained on the test videos of an independently generated copy),
        the evaluator of every output, and the scored reference rows; shows them."""
        self.judge = held_out_judge(self.cfg, self.dataset, self.data.zbar)
        self.evaluate = dataset_evaluator(self.data, self.judge)
        self.reference = reference_rows(self.data, self.evaluate, self.dataset)
        self._show_reference()

    def show_learning_curves(self) -> None:
        """The committed learning curves of this dataset."""
        show_learning_curves(self.dataset)
        plt.show()

    def show_verdict(self) -> None:
        """The paper's claims on this dataset, judged on this run's table."""
        show_claims(evaluate_claims(results_dir(self.cfg.profile), only=(self.table,)))

    def translate_long_video(self, frames: int) -> LongVideo:
        """The first seed's RL-V2V-GAN translator over a long daytime city aerial of
        ``frames`` frames, in windows of T frames (:func:`rlvid.v2v.style_data.window_seams`)."""
        from rlvid.v2v.style_data import long_city_video, window_seams
        from rlvid.v2v.train import load_translator

        if self.dataset != "city":
            raise RlvidError(f"the long video is a city aerial: the {self.dataset} page's "
                             "translator was not trained for it")
        video, twin = long_city_video(self.cfg.data.size, frames, seed=self.cfg.v2v.data_seed)
        net, _ = load_translator(self.experiment.model_path(OURS, self.cfg.seeds[0]))
        t = self.video_len
        return LongVideo(video, twin, window_seams(net, video, window=t), t)


class FolderPage(StylePage):
    """The user's own videos from four folders (or a procedural dataset written as such):
    no twin, so twin-free metrics only, and the judge trains on the held-out clips."""

    def __init__(self, profile: str, seeds: Sequence[int] | None,
                 iterations_share: float | None, folders: Sequence[str | None],
                 procedural: str, test_share: float) -> None:
        from rlvid.v2v.style_data import load_style_folders, style_folders

        super().__init__(profile, seeds, iterations_share)
        cfg = self.cfg
        print(f"profile {cfg.profile}, seeds {list(cfg.seeds)}, frames {cfg.data.size}x"
              f"{cfg.data.size}, T = {self.video_len}; {self.share:g} of the profile's training "
              f"iterations")
        self.dataset = self.table = "your_videos"
        self.clips = "clips"
        self.reference_metrics = self.panel_metrics = TWIN_FREE_METRICS
        self.source = "procedural " + procedural if folders[0] is None else "user folders"
        work = results_dir(cfg.profile).parent / "your_videos"
        self.folders = style_folders(*folders, procedural, cfg.data, work,
                                     data_seed=cfg.v2v.data_seed)
        self.data = load_style_folders(self.folders["x"], self.folders["y"], self.folders["z"],
                                       self.folders["zbar"], size=cfg.data.size, T=self.video_len,
                                       test_share=test_share)

    def set_labels(self) -> dict[str, str]:
        return {"x": "X", "y": "Y", "z": "Z", "zbar": "Z̄"}

    def table_rows(self) -> list[dict[str, Any]]:
        return table_rows(self.source, self.rows, self.reference)

    def used_backends(self) -> dict[str, str]:
        return {"flow": metric_backends()["flow"], "domain_classifier": self.judge.describe()}

    def table_notes(self) -> str:
        return (f"twin-free metrics; data: {self.source}; per-seed rows, then trivial "
                f"reference rows (kind); iterations share {self.share:g}")

    def show_folders(self) -> None:
        """The folders read."""
        show_definitions({k: str(v) for k, v in self.folders.items()}, caption="Folders read")

    def show_clip_counts(self) -> None:
        """How many clips (Z̄: images) each set gave."""
        show_table([{"set": k, "clips (images for zbar)": n}
                    for k, n in self.data.counts().items()],
                   caption=f"Clips of {self.video_len} frames cut from the folders")

    def fit_judge(self) -> None:
        """The style judge (trained on the held-out X and Y clips), the evaluator of every
        output, and the scored trivial rows; shows them."""
        from rlvid.v2v.style_data import folder_reference_rows

        d = self.data
        self.judge = fit_style_judge(d.x_test, d.y_test, d.zbar,
                                     steps=self.cfg.v2v.classifier_steps,
                                     seed=self.cfg.v2v.judge_seed)
        self.evaluate = lambda out: evaluate_style(out, d.x_test, self.judge)
        self.reference = folder_reference_rows(
            d, lambda out, src: evaluate_style(out, src, self.judge))
        self._show_reference()


@dataclass
class LongVideo:
    """A long video translated in windows, with and without the ConvLSTM state carried
    across them (``seams``: :func:`rlvid.v2v.style_data.window_seams`), and its twin."""

    video: torch.Tensor
    twin: torch.Tensor
    seams: Mapping[str, Any]
    window: int

    def show_seams(self) -> None:
        """Figure 5 (E_warp of every frame pair, window boundaries marked) and the table of
        boundary against within-window pairs."""
        window_seams_plot(self.seams, window=self.window)
        plt.show()
        display(seams_table(self.seams))

    def show_speed(self) -> None:
        """The windowed translation's frames per second on this machine."""
        size = self.video.shape[-1]
        show_table([{"frames per second": self.seams["fps"],
                     "CPU threads": torch.get_num_threads(), "frame size": f"{size}×{size}"}],
                   caption="Translation speed on this machine", notes="varies between machines")

    def show_boundary(self) -> None:
        """Figure 6: frames around the first window boundary, source, twin, state carried
        and state reset."""
        around = slice(self.window - 3, self.window + 3)
        videos = self.seams["videos"]
        frame_grid({"source": self.video[around], "twin": self.twin[around],
                    "carried": videos["carried"][around], "reset": videos["reset"][around]},
                   titles=[f"t={t}" for t in range(self.window - 3, self.window + 3)])
        plt.show()

    def show_animation(self) -> None:
        """The first :data:`LONG_ANIMATION_FRAMES` frames: source, state carried, reset."""
        videos, n = self.seams["videos"], LONG_ANIMATION_FRAMES
        display(show_video([self.video[:n], videos["carried"][:n], videos["reset"][:n]],
                           titles=["source", "state carried", "state reset"], fps=8))
