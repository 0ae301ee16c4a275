"""Synthetic generator: determinism, ground truth consistent with the rendered object layer, events that happen,
CLI and contact sheets."""
from __future__ import annotations

import numpy as np
import pytest

from ltr.data.image_io import read_image, read_palette_png
from ltr.dataset.synthetic import FORMATS, generate, write_contact_sheet
from ltr.dataset.synthetic.__main__ import main as cli_main
from ltr.data.legend import ROW_HEIGHT
from ltr.dataset.synthetic.contact_sheet import draw_annotation, find_sequences, load_annotations
from ltr.dataset.synthetic.common import box_from_mask, make_plan, render_all
from ltr.dataset.synthetic.render import render_frame
from ltr.dataset.synthetic.scene import SceneOptions

SIZE = (160, 120)


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["vot2020", "youtubevos", "got10k"])
def test_same_seed_same_bytes_other_seed_other_frames(tmp_path, fmt):
    a = _tree(generate(fmt, tmp_path / "a", sequences=2, frames=6, seed=3, size=SIZE))
    b = _tree(generate(fmt, tmp_path / "b", sequences=2, frames=6, seed=3, size=SIZE))
    c = _tree(generate(fmt, tmp_path / "c", sequences=2, frames=6, seed=4, size=SIZE))
    assert a.keys() == b.keys() and len(a) > 20
    assert all(a[k] == b[k] for k in a)
    jpgs = [k for k in a if k.endswith(".jpg")]
    assert all(a[k] != c[k] for k in jpgs if k in c)


def test_box_from_mask_convention():
    mask = np.zeros((10, 12), np.uint8)
    mask[2:5, 3:9] = 1
    mask[7, 4] = 1
    assert box_from_mask(mask) == [3, 2, 6, 6]
    assert box_from_mask(np.zeros((4, 4), np.uint8)) is None


def test_written_boxes_are_boxes_of_the_rendered_masks(make_synthetic):
    """GOT-10k/LaSOT/OTB boxes equal the boxes of the target layer rendered again from the same plan."""
    frames = 12
    for fmt, path, options in (("got10k-val", "val/GOT-10k_Val_000002/groundtruth.txt", {}),
                               ("lasot", "airplane/airplane-2/groundtruth.txt", {}),
                               ("otb", "Biker/groundtruth_rect.txt", {"allow_absent": False})):
        root = make_synthetic(fmt.split("-")[0], sequences=2, frames=frames, size=SIZE)
        written = np.loadtxt(root / path, delimiter="\t" if fmt == "otb" else ",")
        plan = make_plan(0, fmt, 1, SceneOptions(size=SIZE, frames=frames, **options))
        for t, fr in enumerate(render_all(plan)):
            box = box_from_mask(fr.mask(1))
            if box is not None:
                np.testing.assert_array_equal(written[t], box)
            elif fmt == "lasot":
                np.testing.assert_array_equal(written[t], [0, 0, 0, 0])


def test_got10k_labels_follow_the_rendered_visibility(make_synthetic):
    root = make_synthetic("got10k", sequences=2, frames=12, size=SIZE)
    seq = root / "train" / "GOT-10k_Train_000001"
    cover = np.loadtxt(seq / "cover.label")
    absence = np.loadtxt(seq / "absence.label")
    cut = np.loadtxt(seq / "cut_by_image.label")
    boxes = np.loadtxt(seq / "groundtruth.txt", delimiter=",")
    plan = make_plan(0, "got10k-train", 0, SceneOptions(size=SIZE, frames=12))
    for t, fr in enumerate(render_all(plan)):
        visible, full = fr.visible_area[0], fr.full_area[0]
        assert absence[t] == (visible == 0)
        assert cut[t] == fr.cut_by_image[0]
        assert cover[t] == (0 if visible == 0 else np.ceil(8 * visible / full))
        if visible == full:
            assert cover[t] == 8
        if visible == 0:
            np.testing.assert_array_equal(boxes[t], [-1, -1, -1, -1])


def test_vos_masks_match_rendered_layers_and_frames_show_the_objects(make_synthetic):
    root = make_synthetic("davis", sequences=4, frames=6, size=SIZE)
    seq = (root / "ImageSets" / "2017" / "train.txt").read_text().split()[0]
    plan = make_plan(0, "davis", 0, SceneOptions(size=SIZE, frames=6, num_targets=2))
    for t, fr in enumerate(render_all(plan)):
        ids = read_palette_png(root / "Annotations" / "480p" / seq / f"{t:05d}.png")
        np.testing.assert_array_equal(ids, fr.ids)
        image = read_image(root / "JPEGImages" / "480p" / seq / f"{t:05d}.jpg").astype(float)
        # the written JPEG is the rendered frame (up to JPEG loss)
        assert np.abs(image - fr.image).mean() < 6


def _default_plans(fmt_key, n=10, frames=50, **options):
    return [make_plan(0, fmt_key, i, SceneOptions(size=SIZE, frames=frames, **options)) for i in range(n)]


def test_default_datasets_contain_hard_events():
    """With the defaults, a 10 x 50 dataset has exits and re-entries, occlusions that hide part of a target,
    look-alike distractors that come close to the target, illumination steps and blur, but each only in a minority
    of frames (moderate difficulty)."""
    plans = _default_plans("got10k-train")
    assert sum(len(p.events["exits"]) for p in plans) >= 2
    assert sum(len(p.events["occluders"]) for p in plans) >= 5
    assert sum(p.events["distractors"] for p in plans) >= 3
    assert sum(len(p.events["illum_steps"]) for p in plans) >= 1
    assert sum(len(p.events["blur_frames"]) for p in plans) >= 2
    absent = occluded = total = close = 0
    for plan in plans:
        target = plan.targets[0]
        for obj in plan.objects:
            if obj.kind == "distractor":
                dist = np.hypot(obj.cx - target.cx, obj.cy - target.cy) / target.radius
                close += int(dist.min() < 4)
        for fr in render_all(plan):
            total += 1
            absent += int(fr.visible_area[0] == 0)
            occluded += int(0 < fr.visible_area[0] < 0.9 * fr.in_frame_area[0])
    assert close >= 2
    assert 0 < absent < 0.15 * total
    assert 0 < occluded < 0.3 * total


def test_vot_scenes_never_lose_the_target():
    plans = _default_plans("vot", n=6, allow_absent=False)
    assert sum(len(p.events["occluders"]) for p in plans) >= 2
    for plan in plans:
        for t in range(plan.options.frames):
            fr = render_frame(plan, t)
            assert fr.visible_area[0] >= 10


def test_late_entry_objects_enter_after_the_first_frame(make_synthetic):
    plans = [make_plan(0, "youtubevos-train", i, SceneOptions(size=SIZE, frames=30, num_targets=3, late_entry=True))
             for i in range(6)]
    entries = [(p, k, t_in) for p in plans for k, t_in in p.events["late_entries"]]
    assert entries
    plan, k, _ = entries[0]
    first = render_frame(plan, 0)
    assert first.visible_area[k - 1] == 0 and first.visible_area[0] > 0


def test_generate_rejects_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="unknown synthetic format 'vot2099'"):
        generate("vot2099", tmp_path)
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['objects'\]"):
        generate("otb", tmp_path, objects=2)
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        generate("otb", tmp_path, size="big")
    with pytest.raises(ValueError, match="at least 32x32"):
        generate("otb", tmp_path, size=(16, 16))
    (tmp_path / "old.txt").write_text("x")
    with pytest.raises(FileExistsError, match="not empty"):
        generate("otb", tmp_path)
    assert set(FORMATS) == {"youtubevos", "davis", "vot", "vot-legacy", "vot2020", "got10k", "lasot", "trackingnet",
                            "otb"}


def test_cli_writes_the_dataset(tmp_path, capsys):
    assert cli_main(["--format", "vot-legacy", "--out", str(tmp_path / "d"), "--sequences", "1", "--frames", "3",
                     "--size", "64x48"]) == 0
    assert "wrote vot-legacy" in capsys.readouterr().out
    assert read_image(tmp_path / "d" / "ants1" / "00000003.jpg").shape == (48, 64, 3)
    with pytest.raises(SystemExit):
        cli_main(["--format", "nope", "--out", str(tmp_path / "e")])


@pytest.mark.parametrize("fmt,sub", [("vot", ""), ("davis", ""), ("otb", "Basketball/img"),
                                     ("trackingnet", "TRAIN_0")])
def test_contact_sheet_draws_ground_truth(make_synthetic, tmp_path, fmt, sub):
    root = make_synthetic(fmt, sequences=4 if fmt == "davis" else 2, frames=6, size=SIZE)
    out = write_contact_sheet(root / sub if sub else root, tmp_path / "sheet.png", sequences=2, columns=3,
                              thumb_width=80)
    sheet = read_image(out)
    rows = 1 if fmt == "otb" else 2
    assert sheet.shape == (rows * (60 + 14) + ROW_HEIGHT, 3 * 80, 3)  # + the one-line legend
    if fmt != "davis":
        yellow = (sheet[..., 0] > 200) & (sheet[..., 1] > 200) & (sheet[..., 2] < 80)
        assert yellow.sum() > 20  # the ground-truth outline is drawn


def test_contact_sheet_finds_and_draws_vos_masks(make_synthetic):
    root = make_synthetic("davis", sequences=4, frames=6, size=SIZE)
    frame_dir = find_sequences(root)[0]
    frames = sorted(frame_dir.glob("*.jpg"))
    anns = load_annotations(frame_dir, frames)
    ids = read_palette_png(root / "Annotations" / "480p" / frame_dir.name / "00000.png")
    np.testing.assert_array_equal(anns[0], ids)
    image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
    drawn = draw_annotation(image, ids)
    changed = drawn.any(axis=2)
    assert changed[ids > 0].all() and not changed[ids == 0].any()


def test_contact_sheet_cli_on_one_sequence(make_synthetic, tmp_path, capsys):
    from ltr.dataset.synthetic.contact_sheet import main as sheet_main

    root = make_synthetic("lasot", sequences=2, frames=6, size=SIZE)
    assert sheet_main([str(root / "airplane" / "airplane-1"), "--out", str(tmp_path / "s.png"), "--columns", "2"]) == 0
    assert "wrote" in capsys.readouterr().out
    assert read_image(tmp_path / "s.png").shape == (150 + 14 + ROW_HEIGHT, 2 * 200, 3)


def test_contact_sheet_without_frames_names_the_folder(tmp_path):
    from ltr.admin.errors import DataFormatError

    with pytest.raises(DataFormatError, match=str(tmp_path)):
        write_contact_sheet(tmp_path, tmp_path / "x.png")


def _iou(a, b):
    x0, y0 = max(a[0], b[0]), max(a[1], b[1])
    x1, y1 = min(a[0] + a[2], b[0] + b[2]), min(a[1] + a[3], b[1] + b[3])
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def _template_tracker_overlaps(plan):
    """Mean IoU over visible frames of a naive tracker (fixed first-frame template, normalised cross-correlation in
    a window 3x the box around the last position, no scale or model update) and of the fixed initial box."""
    import cv2

    w_img, h_img = plan.options.size
    frames = list(render_all(plan))
    gt = [box_from_mask(fr.mask(1)) for fr in frames]
    x, y, w, h = gt[0]
    template = frames[0].image[y:y + h, x:x + w].astype(np.float32)
    box, tracked, fixed = list(gt[0]), [], []
    for fr, truth in zip(frames[1:], gt[1:]):
        cx, cy = box[0] + w / 2, box[1] + h / 2
        x0, y0 = int(max(0, cx - 1.5 * w)), int(max(0, cy - 1.5 * h))
        x1, y1 = int(min(w_img, cx + 1.5 * w)), int(min(h_img, cy + 1.5 * h))
        window = fr.image[y0:y1, x0:x1].astype(np.float32)
        if window.shape[0] >= h and window.shape[1] >= w:
            _, best, _, loc = cv2.minMaxLoc(cv2.matchTemplate(window, template, cv2.TM_CCOEFF_NORMED))
            if best > 0.3:
                box = [x0 + loc[0], y0 + loc[1], w, h]
        if truth is not None:
            tracked.append(_iou(box, truth))
            fixed.append(_iou(gt[0], truth))
    return float(np.mean(tracked)), float(np.mean(fixed))


def test_difficulty_is_moderate():
    """Targets stand out enough that even a naive template tracker follows most VOT-style sequences, while the
    targets move enough that the fixed initial box does not (measured at 320x240, 10 x 50: 0.60 vs 0.05)."""
    results = np.array([_template_tracker_overlaps(p) for p in _default_plans("vot", n=6, frames=30,
                                                                                allow_absent=False)])
    tracked, fixed = results[:, 0], results[:, 1]
    assert tracked.mean() > 0.45 and (tracked > 0.4).sum() >= 4
    assert fixed.mean() < 0.3
    assert tracked.mean() < 0.95  # not trivial: scale change, rotation, deformation and occlusion cost overlap
