"""Bad input to the ltr layer (issue 9): each case gives the documented behaviour or one clear error."""
import errno
import os
import shutil

import cv2
import numpy as np
import pytest

from ltr.admin.cli import check_writable_dir, cli_main, user_error_line
from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError, load_settings
from ltr.data.image_io import read_image
from ltr.dataset.annotations import read_flags, read_list, read_rows
from ltr.dataset.got10k import GOT10k, read_got10k_sequence
from ltr.regions.vot_text import read_region_file

BOM = "\ufeff"


def _jpeg(tmp_path):
    img = (np.random.default_rng(0).random((48, 64, 3)) * 255).astype(np.uint8)
    return cv2.imencode(".jpg", img)[1].tobytes(), cv2.imencode(".png", img)[1].tobytes()


def test_bom_accepted_by_every_text_reader(tmp_path):
    (tmp_path / "gt.txt").write_text(BOM + "1,2,3,4\n5,6,7,8\n", encoding="utf-8")
    assert read_rows(tmp_path / "gt.txt").tolist() == [[1, 2, 3, 4], [5, 6, 7, 8]]
    (tmp_path / "list.txt").write_text(BOM + "ants1\nbag1\n", encoding="utf-8")
    assert read_list(tmp_path / "list.txt") == ["ants1", "bag1"]
    (tmp_path / "absence.label").write_text(BOM + "0\n1\n", encoding="utf-8")
    assert read_flags(tmp_path / "absence.label").tolist() == [False, True]
    (tmp_path / "groundtruth.txt").write_text(BOM + "1,1,5,1,5,5,1,5\n", encoding="utf-8")
    assert len(read_region_file(tmp_path / "groundtruth.txt")) == 1


def test_bom_in_settings_file_and_missing_settings_file(tmp_path, monkeypatch):
    (tmp_path / "s.toml").write_text(BOM + 'results_path = "/r"\n', encoding="utf-8")
    monkeypatch.setenv("PYTRACKING_SETTINGS", str(tmp_path / "s.toml"))
    assert load_settings().get("results_path") == "/r"
    monkeypatch.setenv("PYTRACKING_SETTINGS", str(tmp_path / "nope.toml"))
    with pytest.raises(SettingsError, match=r"PYTRACKING_SETTINGS names the settings file .*nope.toml.*does not exist"):
        load_settings()


def test_png_named_jpg_trailing_bytes_and_truncated_jpegs_are_told_apart(tmp_path):
    jpg, png = _jpeg(tmp_path)
    (tmp_path / "png.jpg").write_bytes(png)
    with pytest.raises(DataFormatError, match=r"png.jpg: is a PNG file with a JPEG name"):
        read_image(tmp_path / "png.jpg")
    (tmp_path / "trailing.jpg").write_bytes(jpg + b"camera data")
    assert read_image(tmp_path / "trailing.jpg", strict=True).shape == (48, 64, 3)  # the image itself is complete
    (tmp_path / "cut.jpg").write_bytes(jpg[: len(jpg) // 2])
    with pytest.raises(DataFormatError, match=r"cut.jpg: JPEG file is truncated"):
        read_image(tmp_path / "cut.jpg")


def test_jpeg_cut_in_half_with_its_end_marker_reappended_fails_a_full_decode(tmp_path):
    jpg, _ = _jpeg(tmp_path)
    (tmp_path / "half.jpg").write_bytes(jpg[: len(jpg) // 2] + b"\xff\xd9")
    read_image(tmp_path / "half.jpg")  # the fast reader cannot tell
    with pytest.raises(DataFormatError, match=r"half.jpg: image data is corrupt or cut short"):
        read_image(tmp_path / "half.jpg", strict=True)


def test_inf_in_vot_groundtruth_names_the_line(tmp_path):
    (tmp_path / "groundtruth.txt").write_text("1,1,5,1,5,5,1,5\n1,1,inf,1,5,5,1,5\n")
    with pytest.raises(DataFormatError, match=r"groundtruth.txt:2: infinite value"):
        read_region_file(tmp_path / "groundtruth.txt")


def _got_copy(make_synthetic, tmp_path):
    root = tmp_path / "got"
    shutil.copytree(make_synthetic("got10k", sequences=1, frames=6, size=(64, 48)), root)
    return root, root / "val" / "GOT-10k_Val_000001"


def test_got10k_without_absence_label_derives_absence_from_the_gt(make_synthetic, tmp_path):
    root, seq = _got_copy(make_synthetic, tmp_path)
    (seq / "absence.label").unlink()
    lines = (seq / "groundtruth.txt").read_text().splitlines()
    lines[3] = "-1,-1,-1,-1"
    (seq / "groundtruth.txt").write_text("\n".join(lines) + "\n")
    s = read_got10k_sequence(seq)
    assert np.isnan(s.boxes[3]).all() and not s.visible[3]
    info = GOT10k(root, split="val").get_sequence_info(0)  # the training dataset: no -1 box as a target
    assert not info["visible"][3] and not (info["bbox"] == -1).any()


def test_negative_width_box_names_file_and_line(make_synthetic, tmp_path):
    root, seq = _got_copy(make_synthetic, tmp_path)
    lines = (seq / "groundtruth.txt").read_text().splitlines()
    lines[2] = "10,10,-5,8"
    (seq / "groundtruth.txt").write_text("\n".join(lines) + "\n")
    (seq / "absence.label").write_text("0\n" * 6)
    with pytest.raises(DataFormatError, match=r"groundtruth.txt:3: box 10,10,-5,8 has a negative width"):
        read_got10k_sequence(seq)


def test_cli_handler_one_line_exit_2_and_ctrl_c_130(capsys):
    @cli_main
    def bad(kind):
        if kind == "data":
            raise DataFormatError("/d/gt.txt", "expected 4 numbers", line=3)
        if kind == "disk":
            raise OSError(errno.ENOSPC, "No space left on device", "/out/ckpt.pth")
        if kind == "ctrl-c":
            raise KeyboardInterrupt
        raise RuntimeError("a bug")

    assert bad("data") == 2 and capsys.readouterr().err == "error: /d/gt.txt:3: expected 4 numbers\n"
    err = (bad("disk"), capsys.readouterr().err)
    assert err[0] == 2 and "disk full" in err[1] and "/out/ckpt.pth" in err[1]
    assert bad("ctrl-c") == 130
    with pytest.raises(RuntimeError, match="a bug"):  # bugs keep their traceback
        bad("bug")


def test_dataloader_worker_wrapped_error_becomes_one_line():
    text = ("Caught DataFormatError in DataLoader worker process 0.\nOriginal Traceback (most recent call last):\n"
            "  File \"x.py\", line 1, in f\nltr.admin.errors.DataFormatError: /d/0001.jpg: JPEG file is truncated\n")
    assert user_error_line(DataFormatError(text)) == "/d/0001.jpg: JPEG file is truncated (raised in a worker process)"
    assert user_error_line(RuntimeError(text)).startswith("/d/0001.jpg: JPEG file is truncated")


def test_output_folder_that_is_a_file_or_read_only_is_refused_before_work(tmp_path):
    (tmp_path / "results").write_text("")
    with pytest.raises(DataFormatError, match=r"results: is a file, but the results folder"):
        check_writable_dir(tmp_path / "results" / "tracker", "results folder")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        if not os.access(ro, os.W_OK):  # (root may write anywhere)
            with pytest.raises(DataFormatError, match=r"ro: is not writable"):
                check_writable_dir(ro / "x", "results folder")
    finally:
        ro.chmod(0o700)
    check_writable_dir(tmp_path / "new" / "deep", "results folder")  # creatable: fine
    assert not (tmp_path / "new").exists()  # the check writes nothing


# ------------------------------------------------------------------------------------- checkpoint converter and loader
_TINY_CMEDFL = {"arch": "cmedfl", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random",
                "embed_dim": 16, "gat_channels": 8}


def _converter(argv, capsys):
    from ltr.models.legacy import main

    rc = main(argv)
    err = capsys.readouterr().err
    assert rc == 2 and err.count("\n") == 1 and "Traceback" not in err
    return err


def test_converter_refuses_non_checkpoints_with_one_clear_line(tmp_path, capsys):
    import pickle

    import torch

    from ltr.admin.checkpoint import load_checkpoint

    jpg, _ = _jpeg(tmp_path)
    (tmp_path / "photo.pth").write_bytes(jpg)
    (tmp_path / "plain.pth").write_bytes(pickle.dumps([1, 2, 3]))
    torch.save([1, 2, 3], tmp_path / "list.pth")
    out = str(tmp_path / "out.pth")
    assert "photo.pth: is a JPEG image (renamed?), not a torch checkpoint" in \
        _converter(["d3s", str(tmp_path / "photo.pth"), out], capsys)
    assert "plain.pth: is a plain Python pickle" in _converter(["d3s", str(tmp_path / "plain.pth"), out], capsys)
    assert "list.pth: not a checkpoint: the file holds a list" in \
        _converter(["dmb", str(tmp_path / "list.pth"), out], capsys)
    assert not (tmp_path / "out.pth").exists()
    # The project loader (net_path) says the same, not "legacy checkpoint" / KeyError.
    with pytest.raises(DataFormatError, match=r"photo.pth: is a JPEG image"):
        load_checkpoint(tmp_path / "photo.pth")
    with pytest.raises(DataFormatError, match=r"plain.pth: is a plain Python pickle"):
        load_checkpoint(tmp_path / "plain.pth")


def test_converter_wrong_network_state_dict_and_already_converted_file(tmp_path, capsys):
    import torch

    from ltr.admin.checkpoint import load_checkpoint, save_checkpoint
    from ltr.models import build_net

    torch.manual_seed(0)
    net = build_net(_TINY_CMEDFL)
    torch.save(net.state_dict(), tmp_path / "bare.pth")
    err = _converter(["d3s", str(tmp_path / "bare.pth"), str(tmp_path / "out.pth")], capsys)
    assert "not an original d3s checkpoint: its weights look like a CMEDFL net (convert it as cmedfl)" in err
    assert len(err) < 600  # counts and a few example keys, not the key list
    with pytest.raises(DataFormatError, match=r"bare state dict \(\d+ tensors.*python -m ltr.models.legacy") as exc:
        load_checkpoint(tmp_path / "bare.pth")
    assert len(str(exc.value)) < 400
    save_checkpoint(tmp_path / "ours.pth", net, net.config)
    err = _converter(["cmedfl", str(tmp_path / "ours.pth"), str(tmp_path / "out.pth")], capsys)
    assert "ours.pth: is already converted" in err and "'cmedfl'" in err


def test_unknown_user_home_prefix_names_the_option_or_setting(tmp_path, monkeypatch, capsys):
    called = []

    @cli_main
    def main(argv=None):
        called.append(argv)
        return 0

    for argv in (["--root", "~nosuchuser_xyz/data"], ["--root=~nosuchuser_xyz/data"]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "--root = '~nosuchuser_xyz/data'" in err and "no user 'nosuchuser_xyz'" in err
    assert main(["~nosuchuser_xyz"]) == 2 and "a command-line argument" in capsys.readouterr().err
    assert not called  # refused before the command ran
    assert main(["--root", "~/data", "--name", "a~b"]) == 0  # the own home and a ~ inside a value are fine
    monkeypatch.setenv("PYTRACKING_SETTINGS", str(tmp_path / "s.toml"))
    (tmp_path / "s.toml").write_text('results_path = "~nosuchuser_xyz/res"\n')
    with pytest.raises(SettingsError, match=r"settings key 'results_path' \(from file .*s.toml\) = "
                                            r"'~nosuchuser_xyz/res': there is no user"):
        load_settings().path("results_path")
    with pytest.raises(SettingsError, match=r"results folder = '~nosuchuser_xyz/r'"):
        check_writable_dir("~nosuchuser_xyz/r", "results folder")


@pytest.mark.parametrize("failure", ["oserror", "torch_writer"])
def test_disk_full_during_checkpoint_save_names_the_path_and_keeps_the_old_file(tmp_path, monkeypatch, failure):
    import torch

    from ltr.admin.checkpoint import load_checkpoint, save_checkpoint
    from ltr.models import build_net

    torch.manual_seed(0)
    net = build_net(_TINY_CMEDFL)
    path = save_checkpoint(tmp_path / "ckpt" / "Net_ep0001.pth", net, net.config, meta={"epoch": 1})
    real_save = torch.save

    def full_disk(obj, f, *args, **kwargs):
        f.write(b"PK\x03\x04 half a checkpoint")
        if failure == "oserror":
            raise OSError(errno.ENOSPC, "No space left on device")
        raise RuntimeError("[enforce fail at inline_container.cc:603] . unexpected pos 64 vs 0\n"
                           "PytorchStreamWriter failed writing file data/0: file write failed")

    monkeypatch.setattr(torch, "save", full_disk)
    with pytest.raises(OSError) as exc:
        save_checkpoint(path, net, net.config, meta={"epoch": 2})
    monkeypatch.setattr(torch, "save", real_save)
    assert exc.value.filename == str(path)
    line = user_error_line(exc.value)
    assert str(path) in line and (failure != "oserror" or line.startswith("disk full"))
    assert load_checkpoint(path)["meta"]["epoch"] == 1  # the previous checkpoint is intact
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temporary file left behind
