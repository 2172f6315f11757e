"""Shim for bench/ only (remove with it): moved to rlvid.v2v.baselines."""
from rlvid.v2v.baselines import CycleGAN, RecycleGAN  # noqa: F401
