"""Shim for bench/ and notebook 14 only (remove with them): moved to rlvid.v2v."""
from rlvid.v2v.algorithm1 import RLV2VGAN  # noqa: F401
from rlvid.v2v.common import TrainingData  # noqa: F401
from rlvid.v2v.train import load_translator  # noqa: F401
