"""Dataset sizes per profile (RL-V2V-GAN §6.1, ROVR §4).

Counts are the papers' frame counts times ``count_scale``; a set never has fewer
than ``min_videos`` videos. The dataset issue owns this file.
"""

from __future__ import annotations

from dataclasses import dataclass

from rlvid.config.checks import COUNT, NON_NEGATIVE, POSITIVE, Rule, checked


@dataclass(frozen=True)
class DataConfig:
    # RL-V2V-GAN datasets
    size: int = checked(32, Rule(ge=8, multiple_of=8))  # frame height = width, pixels
    # T, frames per video (the paper leaves it implicit: errata)
    video_len: int = checked(8, Rule(ge=2))
    count_scale: float = checked(0.5, POSITIVE)  # share of the paper's frame counts
    min_videos: int = checked(4, COUNT)  # floor per set, so tiny profiles still train
    test_videos: int = checked(8, COUNT)  # held-out X videos (with twins) for evaluation
    # ROVR masked-video task
    # cpu: 32 keeps both ROVR notebooks to minutes (cost ~ size^2)
    rovr_size: int = checked(32, Rule(ge=12))
    rovr_len: int = checked(20, Rule(ge=3))  # T = 20 in ROVR §4
    rovr_train_videos: int = checked(32, COUNT)
    rovr_test_videos: int = checked(8, COUNT)
    masks_per_frame: int = checked(4, COUNT)  # ROVR §4
    # possible box positions per video (the authors' code uses seven)
    mask_slots: int = checked(7, Rule(ge=1, le=9))
    # every target can be restored by at least this many pairs
    min_valid_pairs: int = checked(1, NON_NEGATIVE)
    max_valid_pairs: int = checked(16, COUNT)  # ROVR §5.1.2: "at most 16 specific pairs"


PROFILES: dict[str, DataConfig] = {
    "smoke": DataConfig(
        size=16, video_len=6, count_scale=0.05, min_videos=2, test_videos=2,
        rovr_size=32, rovr_len=20, rovr_train_videos=4, rovr_test_videos=2,
    ),
    # cpu: V2V frames 16x16 (a training step costs ~size^2: 4x the steps of 32x32 in the
    # same minutes, which the synthetic rule needs; errata v2v "Frame size and step size")
    "cpu": DataConfig(size=16),
    "paper": DataConfig(
        size=128, video_len=10, count_scale=1.0, min_videos=10, test_videos=20,
        rovr_size=256, rovr_len=20, rovr_train_videos=400, rovr_test_videos=40,
    ),
}
