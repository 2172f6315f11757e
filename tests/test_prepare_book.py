"""scripts/prepare_book.py: papermill plumbing out of the book, the run's parameters in."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import nbformat

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "prepare_book.py"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("prepare_book", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _executed() -> nbformat.NotebookNode:
    v4 = nbformat.v4
    nb = v4.new_notebook(metadata={"kernelspec": {"name": "python3", "language": "python",
                                                  "display_name": "Python 3"}})
    nb.cells = [
        v4.new_markdown_cell("# A page"),
        v4.new_code_cell('profile: str = "cpu"  # smoke | cpu | paper\nsteps: int = 3  # steps',
                         metadata={"tags": ["parameters"]}),
        v4.new_code_cell('# Parameters\nprofile = "smoke"\n',
                         metadata={"tags": ["injected-parameters"]}),
        v4.new_code_cell("show()"),
    ]
    return nb


def test_plumbing_is_removed_and_the_parameters_shown_once() -> None:
    nb = _script().prepare(_executed(), "10_page")
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert "remove-cell" in tags[1] and "remove-cell" in tags[2]
    table = nb.cells[3]
    assert table.cell_type == "markdown" and "rlvid-parameters" in table.source
    assert "rlvid run 10_page" in table.source
    # profile set by this run ('smoke'), steps left at its default (3), with type and help
    assert "<code>&#x27;smoke&#x27;</code></td><td>str</td><td>smoke | cpu | paper</td>" \
        "<td>this run</td>" in table.source
    assert "<code>3</code></td><td>int</td><td>steps</td><td>default</td>" in table.source
    assert sum("rlvid-parameters" in c.source for c in nb.cells) == 1
