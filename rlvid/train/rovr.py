from rlvid.rovr.paper import TABLE2_LABELS  # noqa: F401  shim for rlvid/claims.py:236 (issue 11), to remove
