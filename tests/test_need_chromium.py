"""scripts/need_chromium.sh, the first step of ``make test``: with chromium-driver missing it
installs chromium and chromium-driver through apt-get when run as root, and otherwise stops
at once with one line that names them. Run with stub ``id`` and ``apt-get`` on a PATH that
holds nothing else."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "need_chromium.sh"

APT_GET = """#!/bin/bash
echo "$@" >> "{log}"
if [ "$1" = install ]; then
  for b in chromium chromedriver; do
    printf '#!/bin/bash\\n' > "{bin}/$b"; /bin/chmod +x "{bin}/$b"
  done
fi
"""


def _run(tmp_path: Path, uid: int, present: tuple[str, ...]) -> tuple[subprocess.CompletedProcess,
                                                                       list[str]]:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    log = tmp_path / "apt.log"
    scripts = {"id": f"#!/bin/bash\necho {uid}\n",
               "apt-get": APT_GET.format(log=log, bin=stubs)}
    scripts |= {name: "#!/bin/bash\n" for name in present}
    for name, text in scripts.items():
        (stubs / name).write_text(text)
        (stubs / name).chmod(0o755)
    done = subprocess.run(["/bin/bash", str(SCRIPT)], env={"PATH": str(stubs)},
                          capture_output=True, text=True, timeout=60)
    calls = log.read_text().splitlines() if log.exists() else []
    return done, calls


def test_nothing_happens_when_both_are_there(tmp_path: Path) -> None:
    done, calls = _run(tmp_path, uid=1000, present=("chromium", "chromedriver"))
    assert done.returncode == 0 and calls == [] and done.stderr == ""


def test_root_installs_chromium_and_the_driver_when_the_driver_is_missing(tmp_path: Path) -> None:
    done, calls = _run(tmp_path, uid=0, present=("chromium",))
    assert done.returncode == 0, done.stderr
    assert calls[0] == "update -qq"
    assert calls[1].split() == ["install", "-y", "-qq", "chromium", "chromium-driver"]
    assert (tmp_path / "bin" / "chromedriver").is_file()


def test_a_user_is_stopped_in_one_line_naming_the_prerequisite(tmp_path: Path) -> None:
    done, calls = _run(tmp_path, uid=1000, present=("chromium",))
    assert done.returncode == 2 and calls == []
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "chromium-driver" in lines[0] and "apt-get install" in lines[0]
