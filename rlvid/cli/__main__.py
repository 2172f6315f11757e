"""``python -m rlvid.cli``: the same as the ``rlvid`` command."""

import sys

from rlvid.cli import main

sys.exit(main())
