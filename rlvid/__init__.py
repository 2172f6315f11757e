"""rlvid: a reproducibility kit for RL-V2V-GAN and ROVR."""

__version__ = "0.1.0"
