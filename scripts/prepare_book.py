"""Copy executed notebooks into build/book/ as the book shows them.

    python scripts/prepare_book.py build/cpu/notebooks build/book

papermill's plumbing stays out of the book: its injected-parameters cell and the notebook's
own ``parameters`` cell get the jupyter-book tag ``remove-cell``, and in their place the page
shows one small table of the values this run used (the defaults, with papermill's injected
values over them), with each parameter's type and help as papermill reads them.

It also writes ``findings.md`` there, the intro's "What we found", from the committed
``results/cpu/claims.json`` (:func:`rlvid.book.findings.findings_markdown`).
"""

from __future__ import annotations

import argparse
import ast
import html
import sys
from pathlib import Path
from typing import Any

import nbformat
from papermill.inspection import _infer_parameters  # what `papermill --help-notebook` shows

REMOVE = "remove-cell"


def _tags(cell: Any) -> list[str]:
    return cell.setdefault("metadata", {}).setdefault("tags", [])


def _assigned(source: str) -> dict[str, str]:
    """``name -> value source`` for the plain and annotated assignments in a cell."""
    values: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.unparse(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.value is not None:
            values[node.target.id] = ast.unparse(node.value)
    return values


def parameters_table(nb: Any, name: str = "NAME") -> str | None:
    """Markdown (an HTML table) of the run's parameters, or None if the notebook has none."""
    for cell in nb.cells:
        _tags(cell)  # papermill's parser reads every cell's tags
    declared = {p.name: p for p in _infer_parameters(nb)}
    if not declared:
        return None
    injected: dict[str, str] = {}
    for cell in nb.cells:
        if "injected-parameters" in _tags(cell):
            injected = _assigned(cell.source)
    rows = []
    for key, param in declared.items():
        value = injected.get(key, param.default)
        source = "this run" if key in injected and injected[key] != param.default else "default"
        cells = [f"<code>{html.escape(str(v))}</code>" for v in (param.name, value)]
        cells += [html.escape(str(v)) for v in (param.inferred_type_name, param.help or "",
                                                 source)]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("parameter", "value", "type", "help", "set by"))
    return (
        "**Parameters of this run.** Re-run the page with others through "
        f"`rlvid run {name} -p NAME VALUE` (see `rlvid run {name} --help`).\n\n"
        f'<table class="rlvid-parameters"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>\n"
    )


def prepare(nb: Any, name: str = "NAME") -> Any:
    """Tag the plumbing cells ``remove-cell`` and insert the parameters table after them."""
    table = parameters_table(nb, name)
    last = None
    for i, cell in enumerate(nb.cells):
        tags = _tags(cell)
        if "parameters" in tags or "injected-parameters" in tags:
            if REMOVE not in tags:
                tags.append(REMOVE)
            last = i
    if table is not None and last is not None:
        nb.cells.insert(last + 1, nbformat.v4.new_markdown_cell(
            table, metadata={"tags": ["rlvid-parameters"]}))
    return nb


def committed_findings() -> str:
    """The intro's "What we found" from ``results/cpu/claims.json``, or a line saying why
    there is none."""
    from rlvid.book.findings import findings_markdown, load
    from rlvid.paths import reference_path

    path = reference_path("claims", "cpu")
    if not path.is_file():
        return "No committed `cpu` verdicts yet (`results/cpu/claims.json` is missing).\n"
    claims = load(path)
    commits = sorted({str(c["git_commit"])[:7] for c in claims if c.get("git_commit")})
    source = (f"From the committed `results/cpu/claims.json` (tables from commits "
              f"{', '.join(commits)}); every claim is on the results page.")
    return findings_markdown(claims, source)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="folder of executed notebooks")
    parser.add_argument("dest", type=Path, help="folder the book reads (emptied first)")
    args = parser.parse_args()
    notebooks = sorted(args.source.glob("*.ipynb"))
    if not notebooks:
        print(f"rlvid: error: no executed notebooks in {args.source}", file=sys.stderr)
        return 2
    args.dest.mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        nbformat.write(prepare(nb, path.stem), args.dest / path.name)
    (args.dest / "findings.md").write_text(committed_findings())
    print(f"book: {len(notebooks)} notebooks prepared in {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
