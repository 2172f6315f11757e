"""The conda environment, the pip requirements and pyproject agree."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def _requirements(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.startswith("-r"):
            continue
        name, _, version = line.partition("==")
        pins[re.sub(r"[-_.]+", "-", name.lower())] = version
    return pins


def test_environment_yml_installs_the_pinned_requirements() -> None:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert "-r requirements-dev.txt" in pip_section
    assert "-e ." in pip_section
    assert "-r requirements.txt" in (ROOT / "requirements-dev.txt").read_text()


def test_every_runtime_requirement_is_pinned_exactly() -> None:
    pins = _requirements(ROOT / "requirements.txt")
    unpinned = [name for name, version in pins.items() if not version]
    assert not unpinned, f"unpinned: {unpinned}"
    assert pins["torch"] == "2.14.1" and pins["torchvision"] == "0.29.1"
    assert pins["jupyter-book"].startswith("1.")


def test_pyproject_dependencies_are_covered_by_the_pins() -> None:
    pins = _requirements(ROOT / "requirements.txt")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for dep in project["dependencies"]:
        name = re.split(r"[<>=!~ ;\[]", dep, maxsplit=1)[0]
        name = re.sub(r"[-_.]+", "-", name.lower())
        assert name in pins, f"{name} is in pyproject.toml but not pinned in requirements.txt"
        if "==" in dep:
            assert dep.split("==")[1] == pins[name], f"{name}: pyproject and requirements differ"
    assert project["scripts"]["rlvid"] == "rlvid.cli:main"
