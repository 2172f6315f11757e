"""``rlvid train rovr`` and ``rlvid inpaint``: happy paths and one-line errors."""

import torch
from _tiny_models import rovr_local

from rlvid.cli import main
from rlvid.config import load_config
from rlvid.data.io import read_video, write_video
from rlvid.rovr.dataset import masked_set


def test_train_local_then_inpaint_with_masks_and_auto_masks(tmp_path, capsys):
    run = tmp_path / "runs" / "local"
    assert main(["train", "rovr", "--stage", "local", "--profile", "smoke",
                 "-p", "rovr.local.iterations", "2", "--run-dir", str(run)]) == 0
    assert "done at iteration 2" in capsys.readouterr().out
    data = masked_set(load_config("smoke"), "test", 0)
    write_video(tmp_path / "video", data.corrupted[0])  # a folder of PNG frames: lossless
    write_video(tmp_path / "masks", data.masks[0].float())
    ckpt = str(run / "checkpoint.pt")
    for mask_args in (["--masks", str(tmp_path / "masks")], ["--auto-masks"]):
        out = tmp_path / "out"
        assert main(["inpaint", str(tmp_path / "video"), *mask_args, "--checkpoint", ckpt,
                     "-o", str(out)]) == 0
        result = read_video(out)
        known = ~data.masks[0].expand_as(result)
        assert torch.allclose(result[known], data.corrupted[0][known], atol=1 / 255)
        assert "sequential" in capsys.readouterr().out  # a local-only checkpoint


def test_inpaint_rejects_masks_of_the_wrong_length_or_size(tmp_path, capsys):
    data = masked_set(load_config("smoke"), "test", 0)
    write_video(tmp_path / "video", data.corrupted[0])
    write_video(tmp_path / "short", data.masks[0, :5].float())
    write_video(tmp_path / "small", data.masks[0, :, :, :16, :16].float())
    rovr_local(tmp_path / "local.pt")
    torch.save({"stage": "local"}, tmp_path / "bad.pt")
    for masks, named, fragment in (("short", "short", "5 masks do not match the 20 frames"),
                                   ("small", "frame_00000.png", "mask size 16x16 differs")):
        code = main(["inpaint", str(tmp_path / "video"), "--masks", str(tmp_path / masks),
                     "--checkpoint", str(tmp_path / "local.pt"), "-o", str(tmp_path / "o.mp4")])
        err = capsys.readouterr().err.strip()
        assert code == 2 and err.startswith("rlvid: error:") and fragment in err
        assert named in err and "\n" not in err
    code = main(["inpaint", str(tmp_path / "video"), "--auto-masks",
                 "--checkpoint", str(tmp_path / "bad.pt"), "-o", str(tmp_path / "o.mp4")])
    assert code == 2 and "no ROVR local network" in capsys.readouterr().err
    code = main(["inpaint", str(tmp_path / "video"), "--auto-masks",
                 "--checkpoint", str(tmp_path / "none.pt"), "-o", str(tmp_path / "o.mp4")])
    assert code == 2 and "no such checkpoint" in capsys.readouterr().err
