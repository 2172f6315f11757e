"""One recursive equality for checkpoints and histories: the resume and crash tests use it."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch


def assert_same(a: Any, b: Any, where: str = "") -> None:
    """Every tensor equal (``torch.equal``), every array equal, every other value equal
    (a NaN float equal to a NaN float), recursively through dicts, lists and tuples."""
    if isinstance(a, torch.Tensor):
        assert torch.equal(a, b), where
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b)), where
