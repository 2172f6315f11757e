"""``rlvid info``: versions, threads, device and the active metric backends."""

from __future__ import annotations

import argparse
from typing import Any


def register(subparsers: Any) -> None:
    info = subparsers.add_parser("info",
                                 help="versions, threads, device and active metric backends")
    info.set_defaults(func=_cmd_info)


def _cmd_info(args: argparse.Namespace) -> int:
    import platform

    import torch

    from rlvid import __version__
    from rlvid.runtime import device_description, package_versions

    print(f"rlvid {__version__} (python {platform.python_version()})")
    for name, version in package_versions().items():
        print(f"  {name:24s} {version}")
    print(f"torch threads: {torch.get_num_threads()}")
    print(f"device: {device_description()}")
    print(f"cuda available: {torch.cuda.is_available()}")
    try:
        from rlvid.metrics import metric_backends
    except ImportError as exc:
        print(f"metric backends: unavailable ({exc})")
    else:
        print("metric backends:")
        for kind, desc in metric_backends().items():
            print(f"  {kind:12s} {desc}")
    return 0
