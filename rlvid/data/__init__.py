"""Datasets: procedural stand-ins for the papers' data, the ROVR masked-video task and
loaders for real videos (see issue 3)."""

from rlvid.data.folders import VideoFolderError, load_video_folder  # noqa: F401
from rlvid.data.io import VideoIOError, read_video, write_video  # noqa: F401
from rlvid.data.masked import (  # noqa: F401
    MaskedVideoSet,
    MaskingError,
    make_masked_set,
    mask_videos,
    pair_coverage,
)
from rlvid.data.v2v_sets import (  # noqa: F401
    DOMAINS,
    PAPER_FRAMES,
    V2V_NAMES,
    DatasetError,
    V2VDataset,
    load_v2v_dataset,
    v2v_counts,
)
