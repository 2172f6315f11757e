"""Dataset sizes per profile (RL-V2V-GAN §6.1, ROVR §4).

Counts are the papers' frame counts times ``count_scale``; a set never has fewer
than ``min_videos`` videos. The dataset issue owns this file.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataConfig:
    # RL-V2V-GAN datasets
    size: int = 32  # frame height = width, pixels
    video_len: int = 8  # T, frames per video (the paper leaves it implicit: errata)
    count_scale: float = 0.5  # share of the paper's frame counts
    min_videos: int = 4  # floor per set, so tiny profiles still train
    test_videos: int = 8  # held-out X videos (with twins) for evaluation
    # ROVR masked-video task
    rovr_size: int = 32  # cpu: 32 keeps both ROVR notebooks to minutes (cost ~ size^2)
    rovr_len: int = 20  # T = 20 in ROVR §4
    rovr_train_videos: int = 32
    rovr_test_videos: int = 8
    masks_per_frame: int = 4  # ROVR §4
    mask_slots: int = 7  # possible box positions per video (the authors' code uses seven)
    min_valid_pairs: int = 1  # every target can be restored by at least this many pairs
    max_valid_pairs: int = 16  # ROVR §5.1.2: "at most 16 specific pairs"


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
