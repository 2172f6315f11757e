"""``rlvid train rovr --stage``: one stage for one seed, with the stages it depends on."""

from __future__ import annotations

from pathlib import Path

from rlvid.config import Config
from rlvid.errors import RlvidError
from rlvid.rovr.imitation import imitation_name, train_imitation
from rlvid.rovr.local import train_local
from rlvid.rovr.ppg_stage import ppg_name, train_ppg
from rlvid.rovr.runs import IDENTITY_SECTIONS, STAGES, stage_dir, stage_meta
from rlvid.rovr.stage_runner import StageResult
from rlvid.storage.rundir import RESUME_HINT, check_identity, check_owned, run_identity


def stage_folders(cfg: Config, stage: str, seed: int, run_dir: str | Path | None = None,
                  flow_reward: bool = True, warm_start: bool = True
                  ) -> list[tuple[str, str, Path]]:
    """``(stage, variant, folder)`` of every stage ``stage`` trains or reuses, in order; the
    last is ``stage`` itself. Given ``run_dir``, the earlier stages go beside it."""
    if stage not in STAGES:
        raise RlvidError(f"--stage must be one of {', '.join(STAGES)}, got {stage!r}")
    imitation = imitation_name(cfg.rovr.imitation.loss, cfg.rovr.action)
    chain = [("local", "local"), ("imitation", imitation)][: STAGES.index(stage) + 1]
    if stage == "ppg":
        chain = chain[:1] + ([chain[1]] if warm_start else [])
        chain.append(("ppg", ppg_name(flow_reward, warm_start)))
    root = Path(run_dir) if run_dir is not None else None
    folders = [(s, v, (root.absolute().parent / v if root is not None
                       else stage_dir(cfg, seed, v)))
               for s, v in chain[:-1]]
    last_stage, last_variant = chain[-1]
    folders.append((last_stage, last_variant,
                    root if root is not None else stage_dir(cfg, seed, last_variant)))
    return folders


def check_stage_folders(cfg: Config, stage: str, seed: int, run_dir: str | Path | None = None,
                        flow_reward: bool = True, warm_start: bool = True) -> None:
    """Refuse, in one line and before anything is trained, a stage folder (this stage's or
    one it needs) that is not the kit's or holds another run."""
    for name, variant, folder in stage_folders(cfg, stage, seed, run_dir, flow_reward,
                                               warm_start):
        identity = run_identity(cfg, seed, stage_meta(name, variant), IDENTITY_SECTIONS)
        hint = (RESUME_HINT if name == stage else "choose another --run-dir: the stages it "
                "needs go beside it")
        try:
            check_owned(folder)
            check_identity(folder, identity, hint)
        except RlvidError as exc:
            role = "its folder" if name == stage else f"the folder of its {name} stage"
            raise RlvidError(f"--stage {stage} needs {folder} as {role}: {exc}") from None


def train_stage(cfg: Config, stage: str, seed: int, run_dir: str | Path | None = None,
                flow_reward: bool = True, warm_start: bool = True) -> StageResult:
    """Run ``stage`` for one seed, training (or reusing) the stages it depends on; every
    folder involved is checked first (:func:`check_stage_folders`)."""
    check_stage_folders(cfg, stage, seed, run_dir, flow_reward, warm_start)
    folder = {name: path for name, _, path in stage_folders(cfg, stage, seed, run_dir,
                                                           flow_reward, warm_start)}
    local = train_local(cfg, seed, folder["local"])
    if stage == "local":
        return local
    if stage == "imitation":
        return train_imitation(cfg, seed, local.state, folder["imitation"])
    warm = train_imitation(cfg, seed, local.state, folder["imitation"]).state \
        if warm_start else None
    return train_ppg(cfg, seed, local.state, warm, flow_reward, folder["ppg"])
