"""The flower, city and your-videos pages (rlvid.book.pages.style_sets): what each page reads, which
columns and panels it shows, the rows it writes and the notes it names, with known answers
and no training (the notebooks at smoke run the sections end to end)."""

from __future__ import annotations

from typing import Any

import pytest
import torch

import rlvid.book.pages.style_sets as pages
from rlvid.book.display import Tables
from rlvid.book.pages.style_sets import FolderPage, TwinPage
from rlvid.book.pages.v2v import SCALE
from rlvid.data import DOMAINS, load_v2v_dataset
from rlvid.errors import RlvidError
from rlvid.v2v.style import TWIN_FREE_METRICS, schedule_line
from rlvid.v2v.style_data import StyleFolderError

torch.set_num_threads(1)
ROWS = [{"method": "rlv2v", "seed": 0, "edge_ssim": 0.5, "train_s": 1.0},
        {"method": "cyclegan", "seed": 0, "edge_ssim": 0.25, "train_s": 2.0,
         "budget_ratio": 1.0}]


@pytest.fixture(scope="module")
def flowers() -> TwinPage:
    return TwinPage("flowers", "smoke", [0], 0.5, content=("edge_ssim", "mask_iou"))


@pytest.fixture(scope="module")
def yours(tmp_path_factory: pytest.TempPathFactory) -> FolderPage:
    root = tmp_path_factory.mktemp("build")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RLVID_RESULTS", str(root / "results"))
        return FolderPage("smoke", [0], None, (None, None, None, None), "synthetic", 0.25)


def shown(page: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    """What ``page.show_results`` displays, and the panels it asks for, without drawing."""
    displayed: list[Any] = []
    panels: list[Any] = []
    monkeypatch.setattr(pages, "display", displayed.append)
    monkeypatch.setattr(pages, "method_panels", lambda *a, **k: panels.append((a, k)))
    monkeypatch.setattr(pages.plt, "show", lambda: None)
    return displayed, panels


def test_twin_page_reads_its_dataset_and_derives_what_it_shows(flowers, capsys):
    printed = TwinPage("city", "smoke", [0], 0.5, content=("edge_ssim",))
    assert capsys.readouterr().out.strip() == schedule_line(printed.cfg, 0.5)
    assert (printed.table, printed.dataset) == ("city", "city")
    assert printed.reference_metrics == ("edge_ssim", "target_share", "colour_fd",
                                         "perceptual", "ssim", "ewarp", "flicker")
    assert flowers.table == "flower"
    assert flowers.reference_metrics[:2] == ("edge_ssim", "mask_iou")
    assert flowers.panel_metrics == ("gated_share", "coherent_pairs", "mask_iou",
                                     "target_share", "tdiff", "perceptual")
    expected = load_v2v_dataset("flowers", flowers.cfg.data, seed=flowers.cfg.v2v.data_seed)
    assert torch.equal(flowers.data.x_test, expected.x_test)
    assert flowers.set_labels()["x"] == f"X: {DOMAINS['flowers']['x']}"
    assert torch.equal(flowers.twin()["twin"], expected.x_test_twin[0])


def test_twin_page_writes_seed_rows_with_their_dataset_then_the_references(flowers):
    flowers.rows = [dict(r) for r in ROWS]
    flowers.reference = [{"dataset": "flowers", "method": "twin", "seed": "-",
                          "kind": "upper bound", "edge_ssim": 0.75}]
    assert flowers.table_rows() == [{"dataset": "flowers", **ROWS[0]},
                                    {"dataset": "flowers", **ROWS[1]}, flowers.reference[0]]
    assert flowers.table_notes().endswith("iterations share 0.5 of the profile's")


def test_twin_results_name_both_backends(flowers, monkeypatch):
    displayed, panels = shown(flowers, monkeypatch)
    flowers.rows = [dict(r) for r in ROWS]
    flowers.reference = []
    flowers.backends = {"perceptual": "P (why)", "flow": "F (why)", "domain_classifier": "C"}
    flowers.show_results("Flowers")
    (args, options), = panels
    assert args[1] == list(flowers.panel_metrics) and options["scale"] == SCALE
    table, = displayed
    assert isinstance(table, Tables)
    assert "perceptual: P (why); E_warp flow: F (why)" in str(table)


def test_folder_page_reads_a_procedural_dataset_written_as_folders(yours, tmp_path):
    assert yours.source == "procedural synthetic"
    assert yours.folders["x"].parent.parent.name == "your_videos"
    assert yours.data.counts()["x_test"] >= 1
    assert yours.set_labels() == {"x": "X", "y": "Y", "z": "Z", "zbar": "Z̄"}
    assert yours.twin() == {}
    assert yours.reference_metrics == yours.panel_metrics == TWIN_FREE_METRICS
    with pytest.raises(StyleFolderError, match="give all four folders or none"):
        FolderPage("smoke", [0], None, (str(tmp_path), None, None, None), "synthetic", 0.25)


def test_folder_page_rows_carry_the_source_and_name_the_flow_only(yours, monkeypatch):
    yours.rows = [dict(r) for r in ROWS]
    yours.reference = [{"method": "identity", "seed": "-", "kind": "trivial",
                        "edge_ssim": 1.0}]
    assert yours.table_rows() == [{"dataset": "procedural synthetic", **ROWS[0]},
                                  {"dataset": "procedural synthetic", **ROWS[1]},
                                  {"dataset": "procedural synthetic", **yours.reference[0]}]
    displayed, _ = shown(yours, monkeypatch)
    yours.backends = {"flow": "F (why)", "domain_classifier": "C"}
    yours.show_results("Your videos")
    assert "E_warp flow: F (why)" in str(displayed[0])
    assert "perceptual:" not in str(displayed[0])


def test_only_the_city_page_translates_the_long_city_video(flowers):
    with pytest.raises(RlvidError, match="city aerial: the flowers page"):
        flowers.translate_long_video(frames=20)
