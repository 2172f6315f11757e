"""The shape of the library, read from its source with ``ast`` (nothing is imported).

Layers, lowest first. A module may import modules of its own layer and of the layers below
it, never one above (the table is :data:`LAYERS`; a name covers its whole package, and the
longest name that covers a module decides its layer):

====  ===========  ==========================================================================
 0    base         ``rlvid`` (the package itself), ``rlvid.errors``
 1    setup        ``rlvid.config``, ``rlvid.paths``, ``rlvid.runtime``, ``rlvid.progress``,
                   ``rlvid.registry``,
                   ``rlvid.storage`` (files, checkpoints, run folders),
                   ``rlvid.parallel.distributed``
 2    blocks       ``rlvid.nn``, ``rlvid.metrics``, ``rlvid.data``, ``rlvid.rl``,
                   ``rlvid.results``, ``rlvid.claims.spec``, ``rlvid.storage.seed_results``
 3    trainers     ``rlvid.harness``, ``rlvid.parallel.sweep``, ``rlvid.v2v``, ``rlvid.rovr``
 4    book         ``rlvid.book`` (everything that renders a page), ``rlvid.claims`` (the
                   evidence and the judge)
 5    entry        ``rlvid.cli``: nothing outside ``rlvid/cli/`` imports it
====  ===========  ==========================================================================

So networks, metrics, data and RL updates know nothing of the trainers, the trainers nothing
of the book's tables and figures, and the command line is a leaf. Besides the layers:

- no import cycle between modules (an import of ``a.b.c`` is an edge to ``a.b.c``, not to
  the packages above it; imports inside functions and ``if TYPE_CHECKING:`` count too);
- no ``importlib.import_module``/``__import__``, which would hide edges from this test;
- no file in ``rlvid/`` over 400 lines;
- at most :data:`MAX_ROOT_MODULES` modules at the package root beside its subpackages, and
  no two modules of the same name (``__init__`` aside) anywhere in ``rlvid/``;
- ROVR's networks (``rlvid.nn.rovr*``) are imported only from ``rlvid/rovr/`` (and the
  network blocks of ``rlvid/nn/``).

A new top-level module must be given a layer in :data:`LAYERS`. What is wrong today in files
being rewritten is listed in :data:`KNOWN_VIOLATIONS` and :data:`KNOWN_OVER_400`; both lists
can only shrink: an entry that is no longer true fails the test until it is removed.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

# (layer, top-level modules or packages), lowest first
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("base", ("rlvid", "rlvid.errors")),
    ("setup", ("rlvid.config", "rlvid.paths", "rlvid.runtime", "rlvid.progress", "rlvid.registry",
               "rlvid.storage", "rlvid.parallel", "rlvid.parallel.distributed")),
    ("blocks", ("rlvid.nn", "rlvid.metrics", "rlvid.data", "rlvid.rl", "rlvid.results",
                "rlvid.claims.spec", "rlvid.storage.seed_results")),
    ("trainers", ("rlvid.harness", "rlvid.v2v", "rlvid.rovr", "rlvid.parallel.sweep")),
    ("book", ("rlvid.book", "rlvid.claims")),
    ("entry", ("rlvid.cli",)),
)
CLI = "rlvid.cli"
MAX_LINES = 400
MAX_ROOT_MODULES = 10
PAPERS = ("v2v", "rovr")
TOPICS = (*PAPERS, "data")  # a config section, a command, a network file, a page

# Violations in files that are being rewritten, as the tests below name them. Remove an entry
# once it is fixed (the test says so); never add one for new code.
KNOWN_VIOLATIONS: set[str] = set()
# Files over MAX_LINES that are being split (issue 11); remove each once it is under.
KNOWN_OVER_400: set[str] = {
}

PACKAGE = Path(__file__).resolve().parents[1] / "rlvid"
ROOT = PACKAGE.parent


# ---------------------------------------------------------------- the import graph

@dataclass(frozen=True)
class Module:
    name: str  # dotted: rlvid.metrics.flow; a package's __init__.py is the package
    path: Path
    is_package: bool

    @property
    def where(self) -> str:
        return self.path.relative_to(ROOT).as_posix()


def find_modules() -> dict[str, Module]:
    modules = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        modules[".".join(parts)] = Module(".".join(parts), path, is_package)
    return modules


MODULES = find_modules()
TREES = {name: ast.parse(m.path.read_text(encoding="utf-8"), str(m.path))
         for name, m in MODULES.items()}


def _known(name: str) -> str | None:
    """``name`` or the closest package above it that is a module of rlvid, else None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: Module, tree: ast.AST) -> dict[str, int]:
    """The rlvid modules ``module`` imports, each with the line of its first import."""
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        targets: list[str | None] = []
        if isinstance(node, ast.Import):
            targets = [_known(alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: from . import x, from ..data import y
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES
                       else _known(source) for alias in node.names]
        for target in targets:
            if target and target != module.name and target not in found:
                found[target] = node.lineno
    return dict(sorted(found.items()))


GRAPH = {name: imports_of(MODULES[name], tree) for name, tree in TREES.items()}


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def layer_of(name: str) -> int | None:
    """Index in LAYERS of the longest entry that is ``name`` or a package above it."""
    best, best_len = None, -1
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            inside = name == member if member == "rlvid" else _within(name, member)
            if inside and len(member) > best_len:
                best, best_len = index, len(member)
    return best


def _edge(source: str, target: str) -> str:
    return f"{MODULES[source].where}:{GRAPH[source][target]} imports {target}"


# ---------------------------------------------------------------- the rules

def strongly_connected(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Tarjan's components with more than one module (each one or more cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def one_cycle(component: list[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth first)."""
    start, members = component[0], set(component)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for nxt in GRAPH[node]:
                if nxt == start:
                    return paths[node] + [start]
                if nxt in members and nxt not in paths:
                    paths[nxt] = paths[node] + [nxt]
                    following.append(nxt)
        frontier = following
    raise AssertionError(f"no cycle in {component}")


def cycles() -> dict[str, str]:
    found = {}
    for component in strongly_connected(GRAPH):
        path = one_cycle(component)
        steps = "; ".join(_edge(a, b) for a, b in zip(path, path[1:]))
        found[f"cycle: {', '.join(component)}"] = (
            f"import cycle {' -> '.join(path)} ({steps})")
    return found


def cli_imports() -> dict[str, str]:
    return {f"cli: {source} imports {target}":
            f"{_edge(source, target)}: nothing outside rlvid/cli/ may import the command line"
            for source, targets in GRAPH.items() if not _within(source, CLI)
            for target in targets if _within(target, CLI)}


def layer_violations() -> dict[str, str]:
    found = {}
    for source, targets in GRAPH.items():
        for target in targets:
            low, high = layer_of(source), layer_of(target)
            if low is None or high is None or high <= low or _within(target, CLI):
                continue  # unplaced modules and the CLI have their own tests
            found[f"layer: {source} imports {target}"] = (
                f"{_edge(source, target)}: layer {LAYERS[low][0]!r} may not import the "
                f"higher layer {LAYERS[high][0]!r} (see LAYERS in {Path(__file__).name})")
    return found


def dynamic_imports() -> dict[str, str]:
    found = {}
    for name, tree in TREES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                called = func.attr if isinstance(func, ast.Attribute) else \
                    func.id if isinstance(func, ast.Name) else ""
                if called in ("import_module", "__import__"):
                    found[f"dynamic: {name}:{node.lineno}"] = (
                        f"{MODULES[name].where}:{node.lineno} imports by name ({called}); "
                        "import the module plainly so the graph shows it")
    return found


RULES = {"cycle": cycles, "cli": cli_imports, "layer": layer_violations,
         "dynamic": dynamic_imports}


def _new(kind: str) -> list[str]:
    return [message for key, message in RULES[kind]().items() if key not in KNOWN_VIOLATIONS]


# ---------------------------------------------------------------- the tests

def test_the_graph_is_read():
    """Sanity: known edges of every import form are found."""
    assert "rlvid.errors" in GRAPH["rlvid.metrics.backends"]  # from x import y
    assert "rlvid.cli.common" in GRAPH["rlvid.cli"]
    assert "rlvid.book.notebooks" in GRAPH["rlvid.cli.run"]  # inside a function
    assert "rlvid.cli.data" in GRAPH["rlvid.cli"]  # from package import submodule


def test_layers_are_looked_up_by_package():
    assert [layer_of(n) for n in ("rlvid", "rlvid.errors", "rlvid.metrics.flow",
                                  "rlvid.cli.run", "rlvid.something_new", "rlvid.claims.spec",
                                  "rlvid.claims.judge")] == [0, 0, 2, 5, None, 2, 4]


def test_relative_imports_are_resolved():
    tree = ast.parse("from . import flow\nfrom .. import errors\nfrom ..data import io\n"
                     "import rlvid.metrics.psnr as p\n")
    module = Module("rlvid.metrics.ssim", PACKAGE / "metrics" / "ssim.py", False)
    assert list(imports_of(module, tree)) == ["rlvid.data.io", "rlvid.errors",
                                              "rlvid.metrics.flow", "rlvid.metrics.psnr"]
    package = Module("rlvid.metrics", PACKAGE / "metrics" / "__init__.py", True)
    assert list(imports_of(package, ast.parse("from .flow import warp\n"))) == \
        ["rlvid.metrics.flow"]


def test_cycles_are_found():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}, "e": {}}
    assert strongly_connected(graph) == [["a", "b", "c"]]


def test_every_module_has_a_layer():
    unplaced = sorted({".".join(name.split(".")[:2]) for name in MODULES
                       if layer_of(name) is None})
    assert not unplaced, f"in no layer, add each to LAYERS in {Path(__file__).name}: {unplaced}"


@pytest.mark.parametrize("kind", sorted(RULES))
def test_no_new_violations(kind: str):
    found = _new(kind)
    assert not found, "\n".join(found)


def test_known_violations_are_still_there():
    current = {key for rule in RULES.values() for key in rule()}
    fixed = sorted(KNOWN_VIOLATIONS - current)
    assert not fixed, (f"fixed, so remove from KNOWN_VIOLATIONS in {Path(__file__).name}: "
                       f"{fixed}")


def line_counts() -> dict[str, int]:
    return {m.where: len(m.path.read_text(encoding="utf-8").splitlines())
            for m in MODULES.values()}


def test_files_are_at_most_400_lines():
    over = {path: n for path, n in line_counts().items()
            if n > MAX_LINES and path not in KNOWN_OVER_400}
    assert not over, f"over {MAX_LINES} lines, split by concern: {over}"


def test_known_long_files_are_still_long():
    counts = line_counts()
    done = sorted(path for path in KNOWN_OVER_400 if counts.get(path, 0) <= MAX_LINES)
    assert not done, (f"now at most {MAX_LINES} lines (or gone), so remove from "
                      f"KNOWN_OVER_400 in {Path(__file__).name}: {done}")


def test_the_package_root_is_small():
    root = sorted(p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__")
    assert len(root) <= MAX_ROOT_MODULES, (
        f"{len(root)} modules at the package root (at most {MAX_ROOT_MODULES}): {root}; "
        "move one into the subpackage it belongs to")


def repeated_module_names() -> dict[str, list[str]]:
    """Module names used more than once, less the two patterns the layout is made of: a
    topic's module in each package that serves it (:data:`TOPICS`: ``config/v2v.py``,
    ``cli/v2v.py``, ``nn/v2v.py``, ``book/pages/v2v.py``), and one role played once for
    each paper (``v2v/paper.py`` and ``rovr/paper.py``)."""
    by_stem: dict[str, list[str]] = {}
    for module in MODULES.values():
        if not module.is_package:
            by_stem.setdefault(module.path.stem, []).append(module.name)
    mirrored = {f"rlvid.{paper}" for paper in PAPERS}
    repeated = {}
    for stem, names in by_stem.items():
        packages = sorted(name.rpartition(".")[0] for name in names)
        if len(names) < 2 or stem in TOPICS or set(packages) == mirrored:
            continue
        repeated[stem] = sorted(MODULES[name].where for name in names)
    return repeated


def test_no_two_modules_share_a_name():
    repeated = repeated_module_names()
    assert not repeated, f"modules that share a name, rename one of each: {repeated}"


def test_rovr_networks_are_imported_only_by_rovr():
    outside = [_edge(source, target) for source, targets in GRAPH.items()
               if not _within(source, "rlvid.rovr") and not _within(source, "rlvid.nn")
               for target in targets if target.startswith("rlvid.nn.rovr")]
    assert not outside, ("ROVR's networks are built in rlvid/rovr/ (from the blocks in "
                         "rlvid/nn/): " + "; ".join(outside))


def test_the_library_never_imports_the_book():
    upward = [_edge(source, target) for source, targets in GRAPH.items()
              if not _within(source, "rlvid.book") and not _within(source, "rlvid.claims")
              and not _within(source, CLI)
              for target in targets if _within(target, "rlvid.book")]
    assert not upward, "the book imports the library, never the other way: " + "; ".join(upward)
