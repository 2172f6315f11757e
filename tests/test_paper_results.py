"""The committed ``paper`` dry run: from a clean commit, every trainer measured at two points
with a finite loss, and its projections labelled as such."""

from __future__ import annotations

import json
import re
from pathlib import Path

DRY_RUN = Path(__file__).resolve().parents[1] / "results" / "paper" / "dry_run.json"


def test_the_dry_run_records_a_clean_commit_and_finite_steps() -> None:
    table = json.loads(DRY_RUN.read_text())
    assert re.fullmatch(r"[0-9a-f]{40}", table["provenance"]["git_commit"])
    assert table["provenance"]["profile"] == "paper"
    assert "PROJECTION" in table["notes"] and "LINEAR FITS" in table["notes"]
    for name, trainer in table["trainers"].items():
        assert len(trainer["measured"]) == 2, name
        for point in trainer["measured"]:
            assert point["losses_finite"] and point["flops_per_step"] > 0, (name, point)
            assert point["step_peak_bytes"] > 0, (name, point)
        assert trainer["projection"]["gpu_hours_one_run"] > 0, name
