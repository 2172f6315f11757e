"""Execute the kit's notebooks headless with papermill.

The jupytext ``.py`` file is the source; papermill gets it as an in-memory notebook
and writes the executed copy to ``build/<profile>/notebooks/<name>.ipynb`` with a log
beside it (``build/<profile>/logs/<name>.log``). Parameters are checked against the
notebook's ``parameters`` cell first, so a mistyped name or a value of the wrong type
stops with one line instead of a traceback half-way through.
"""

from __future__ import annotations

import ast
import io
import math
import os
import re
import time
import tokenize
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rlvid.config import ENV_VAR, default_profile, profile_config
from rlvid.config.checks import Rule
from rlvid.errors import RlvidError
from rlvid.paths import FIGURE_REPORT_ENV, RESULTS_ENV, build_root, notebook_dir
from rlvid.progress import ENV_VAR as PROGRESS_ENV
from rlvid.progress import progress_enabled
from rlvid.storage.files import pause_for_tests, temp_beside

KERNEL_STARTUP = Path(__file__).with_name("kernel_startup.py")  # turns the figure check on


def notebook_sources() -> list[Path]:
    """Every notebook source, in book order (``NN_name.py``)."""
    return sorted(notebook_dir().glob("[0-9][0-9]_*.py"))


def find_notebook(name: str | Path) -> Path:
    """A path, or a bare name such as ``00_toolkit``, resolved to its ``.py`` source."""
    path = Path(name)
    if path.is_file():
        return path.resolve()
    stem = path.stem
    for candidate in notebook_sources():
        if candidate.stem == stem or candidate.stem.split("_", 1)[-1] == stem:
            return candidate
    known = ", ".join(p.stem for p in notebook_sources())
    raise RlvidError(f"no notebook {str(name)!r}; known: {known}")


@dataclass(frozen=True)
class Parameter:
    """One name of a notebook's ``parameters`` cell: ``name: type = default  # help``."""

    name: str
    type: str  # the annotation as written ("str", "Optional[list]"); "" when not annotated
    default: Any  # the literal value, or None when it is not a literal
    default_repr: str  # the default as written in the cell
    help: str  # the comment on the line, "" when none


def _parameters_cell(source: Path) -> str:
    nb = _read_notebook(source)
    for cell in nb.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            return cell.source
    raise RlvidError(f"{source.name} has no cell tagged 'parameters'")


def _read_notebook(source: Path) -> Any:
    """The notebook in ``source`` (jupytext ``.py`` or ``.ipynb``); anything else, or a file
    that is not text, is refused in one line."""
    import jupytext

    if source.suffix not in (".py", ".ipynb"):
        raise RlvidError(f"{source}: not a notebook (give a jupytext .py or an .ipynb file)")
    try:
        return jupytext.read(source)
    except Exception as exc:  # binary, malformed JSON, not a notebook
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:120]
        raise RlvidError(f"{source}: not a readable notebook ({first})") from None


def _line_comments(code: str) -> dict[int, str]:
    """Line number -> the text of the comment on that line (without ``#``)."""
    comments: dict[int, str] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(code).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = tok.string.lstrip("#").strip()
    except (tokenize.TokenError, IndentationError):
        pass
    return comments


def parse_parameters(code: str) -> list[Parameter]:
    """The assignments of a parameters cell's code, annotated (``ast.AnnAssign``) or not."""
    comments = _line_comments(code)
    params = []
    for node in ast.parse(code).body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                and node.value is not None:
            name, value = node.target.id, node.value
            annotation = node.annotation
            kind = annotation.value if isinstance(annotation, ast.Constant) \
                and isinstance(annotation.value, str) else ast.unparse(annotation)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                and isinstance(node.targets[0], ast.Name):
            name, value, kind = node.targets[0].id, node.value, ""
        else:
            continue
        try:
            default = ast.literal_eval(value)
        except ValueError:
            default = None
        written = ast.get_source_segment(code, value) or ast.unparse(value)
        params.append(Parameter(name, kind, default, written,
                                comments.get(node.end_lineno or node.lineno, "")))
    return params


def notebook_parameters(source: str | Path) -> list[Parameter]:
    """Every parameter of a notebook (a path or a name such as ``10_synthetic``)."""
    return parse_parameters(_parameters_cell(find_notebook(source)))


def declared_parameters(source: str | Path) -> dict[str, Any]:
    """Names and default values assigned in the notebook's ``parameters`` cell."""
    return {p.name: p.default for p in notebook_parameters(source)}


def parameter_help(source: str | Path) -> list[tuple[str, str, str, str]]:
    """``(name, type, default as written, help)`` for each parameter of a notebook, in
    the order of its ``parameters`` cell; the type is the annotation, or the default's
    type name when the name is not annotated."""
    return [(p.name, p.type or (type(p.default).__name__ if p.default is not None else ""),
             p.default_repr, p.help) for p in notebook_parameters(source)]


_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,), "int": (int,), "float": (float, int), "bool": (bool,),
    "list": (list, tuple), "tuple": (list, tuple), "dict": (dict,),
}


def _accepts(kind: str, value: Any) -> bool | None:
    """Whether a value fits an annotation (``Optional[X]``, ``X``, ``list[int]``...);
    None when the annotation is not one this check knows."""
    kind = kind.replace(" ", "")
    optional = False
    if kind.startswith("Optional[") and kind.endswith("]"):
        kind, optional = kind[len("Optional["):-1], True
    if value is None:
        return optional or kind in ("None", "Any")
    if kind == "Any":
        return True
    base = kind.split("[", 1)[0]
    if base not in _TYPES:
        return None
    if isinstance(value, bool) and base != "bool":
        return False
    return isinstance(value, _TYPES[base])


# Ranges of notebook parameters, by name. A help comment that ends in choices
# ("... : synthetic | flowers | city") also limits the value to them.
PARAMETER_RULES: dict[str, Rule] = {
    "seeds": Rule(ge=0, min_length=1), "seed": Rule(ge=0),
    "iterations_share": Rule(gt=0, le=1), "test_share": Rule(gt=0, lt=1),
    "view": Rule(gt=0, le=1), "box": Rule(gt=0, lt=1), "speed": Rule(gt=0),
    "frames": Rule(ge=2), "height": Rule(ge=8), "width": Rule(ge=8), "fps": Rule(gt=0),
    "boxes": Rule(ge=0),
}
_CHOICES = re.compile(r"([\w.-]+(?:\s\|\s[\w.-]+)+)\s*$")


def _range_problem(param: Parameter, value: Any) -> str | None:
    """Why ``value`` is out of range for ``param``, or None."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be finite, got {value}"
    if isinstance(value, (list, tuple)):
        if len(set(map(repr, value))) != len(value):
            return f"must not repeat items, got {list(value)}"
        value = tuple(value)
    rule = PARAMETER_RULES.get(param.name)
    if rule is not None and (why := rule.problem(value)):
        return why
    choices = _CHOICES.search(param.help)
    if isinstance(value, str) and choices:
        allowed = choices.group(1).split(" | ")
        if value not in allowed:
            return f"must be one of {', '.join(allowed)}, got {value!r}"
    if param.name.endswith("_dir") and isinstance(value, str) and not Path(value).is_dir():
        return f"must be an existing folder, got {value!r}"
    return None


def check_parameters(source: Path, parameters: Mapping[str, Any]) -> None:
    """Refuse unknown names, values of the wrong type (the declared type when the parameter
    is annotated, else the default's type) and values out of range, before anything runs."""
    declared = {p.name: p for p in notebook_parameters(source)}
    for name, value in parameters.items():
        if name not in declared:
            raise RlvidError(
                f"{source.stem} has no parameter {name!r}; its parameters: "
                f"{', '.join(declared)}"
            )
        param = declared[name]
        if (why := _range_problem(param, value)) is not None and _accepts(param.type or "Any",
                                                                         value) is not False:
            raise RlvidError(f"{source.stem} parameter {name!r} {why}")
        if param.type:
            ok = _accepts(param.type, value)
            if ok is False:
                raise RlvidError(
                    f"{source.stem} parameter {name!r} must be {param.type} "
                    f"(default {param.default_repr}), got {type(value).__name__} {value!r}"
                )
            if ok:
                continue
        default = param.default
        if default is None or value is None:
            continue
        ok = isinstance(value, type(default)) or (
            isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool)
        ) or (isinstance(default, (list, tuple)) and isinstance(value, (list, tuple)))
        if not ok or (isinstance(value, bool) != isinstance(default, bool)):
            raise RlvidError(
                f"{source.stem} parameter {name!r} must be {type(default).__name__} "
                f"(default {default!r}), got {type(value).__name__} {value!r}"
            )


def run_notebook(
    name: str | Path,
    profile: str | None = None,
    parameters: Mapping[str, Any] | None = None,
    build_dir: str | Path | None = None,
) -> Path:
    """Execute one notebook at ``profile``; return the executed ``.ipynb`` path.

    Raises :class:`RlvidError` with one line (the failing cell's error and the log path)
    when a cell fails.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    profile = profile or default_profile()
    profile_config(profile)  # refuses an unknown profile in one line
    source = find_notebook(name)
    params = {"profile": profile, **dict(parameters or {})}
    check_parameters(source, params)

    root = Path(build_dir) if build_dir else build_root(profile)
    out_dir, log_dir = root / "notebooks", root / "logs"
    out_dir.mkdir(parents=True, exist_ok=True)
    log_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / f"{source.stem}.ipynb"
    log_path = log_dir / f"{source.stem}.log"
    figures = root / "figures" / f"{source.stem}.jsonl"  # rlvid.book.figure_check's report
    figures.parent.mkdir(parents=True, exist_ok=True)
    figures.unlink(missing_ok=True)

    show_cells = progress_enabled()  # a bar over the cells here; none inside the kernel
    env = {ENV_VAR: profile, RESULTS_ENV: str(root / "results"), PROGRESS_ENV: "0",
           FIGURE_REPORT_ENV: str(figures), "PYTHONSTARTUP": str(KERNEL_STARTUP)}
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # the kernel inherits these
    start = time.perf_counter()
    try:
        with open(log_path, "w") as log, temp_beside(output, suffix=".ipynb") as tmp:
            try:
                papermill.execute_notebook(
                    _with_python_kernel(_read_notebook(source)), str(tmp), parameters=params,
                    cwd=str(source.parent), kernel_name="python3", language="python",
                    progress_bar=show_cells,
                    stdout_file=log, stderr_file=log, log_output=False,
                )
            except PapermillExecutionError:
                os.replace(tmp, output)  # the executed notebook shows the failing cell
                raise
            _check_notebook(tmp, output)
            pause_for_tests(output)
            os.replace(tmp, output)
    except PapermillExecutionError as exc:
        raise RlvidError(
            f"{source.name} failed in cell {exc.exec_count}: {exc.ename}: "
            f"{str(exc.evalue).splitlines()[0] if exc.evalue else ''} (log: {log_path})"
        ) from None
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    with open(log_path, "a") as log:
        log.write(f"\n[rlvid] {source.name} at profile {profile}: "
                  f"{time.perf_counter() - start:.1f} s\n")
    return output


def _check_notebook(written: Path, output: Path) -> None:
    """Refuse an executed notebook that does not read back (a full disk cut it short)."""
    import nbformat

    try:
        nbformat.read(written, as_version=4)
    except Exception as exc:
        raise RlvidError(f"{output}: the executed notebook does not read back "
                         f"({type(exc).__name__}; is the disk full?); nothing was written "
                         "under that name") from None


def _with_python_kernel(nb: Any) -> Any:
    """Every notebook runs on the ``python3`` kernel (the active environment's)."""
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.metadata.setdefault("language_info", {"name": "python"})
    return nb
