"""VOT short-term layouts.

``vot`` (VOT2016-2019, toolkit >= 0.2 layout)::

    <out>/list.txt                       sequence names, one a line
    <out>/<seq>/sequence                 key=value lines: channels.color=color/%08d.jpg, fps, format, name
    <out>/<seq>/color/00000001.jpg ...
    <out>/<seq>/groundtruth.txt          8 comma-separated numbers a line: the minimum-area rotated rectangle of
                                         the mask (``ltr.regions.convert.mask_to_min_area_polygon``)
    <out>/<seq>/{camera_motion,illum_change,motion_change,size_change,occlusion}.tag   one 0/1 a line

``vot-legacy``: frames ``00000001.jpg`` beside ``groundtruth.txt`` in ``<seq>/`` (no ``color/``, no ``sequence``).
``vot2020``: like ``vot`` but ground truth lines are masks ``m<x>,<y>,<w>,<h>,<runs>`` (``ltr.regions.vot_text``),
plus ``anchor.value`` (one number a line: > 0 forward anchor, < 0 backward anchor, 0 none; the vot-toolkit's
multistart experiment reads it as the sequence value "anchor").

VOT2016-2019 ground truth has no absent frame: the scenes keep the target at least partly visible.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ltr.dataset.synthetic.attributes import EXTRA_VOT_TAGS, FrameLog, frame_attributes, sidecar_record
from ltr.dataset.synthetic.common import make_plan, render_all, resolve_photos, write_jpeg, write_json, write_text
from ltr.dataset.sequence_attributes import SIDECAR_NAME
from ltr.dataset.synthetic.scene import ScenePlan, SceneOptions
from ltr.regions.convert import mask_to_min_area_polygon
from ltr.regions.vot_text import Mask, Polygon, write_region_file

VOT_FORMATS = ("vot", "vot-legacy", "vot2020")
TAG_NAMES = ("camera_motion", "illum_change", "motion_change", "size_change", "occlusion")
_WORDS = ("ants", "bag", "ball", "birds", "bolt", "butterfly", "crossing", "fish", "flamingo", "gymnastics",
          "hand", "iceskater", "leaves", "matrix", "octopus", "rabbit", "shaking", "singer", "soccer", "zebrafish")


def sequence_names(count: int) -> list[str]:
    return [f"{_WORDS[i % len(_WORDS)]}{i // len(_WORDS) + 1}" for i in range(count)]


def frame_tags(plan: ScenePlan, occluded: np.ndarray) -> dict[str, np.ndarray]:
    """Per-frame VOT attributes derived from what the renderer did, each (F,) bool."""
    opts = plan.options
    scale = float(min(opts.size))
    target = plan.targets[0]
    cam_step = np.r_[0.0, np.linalg.norm(np.diff(plan.cam_center, axis=0), axis=1)] * plan.cam_zoom
    zoom_step = np.abs(np.r_[0.0, np.diff(np.log(plan.cam_zoom))])
    pos = np.stack([target.cx, target.cy], axis=1)
    vel = np.diff(pos, axis=0, prepend=pos[:1])
    acc = np.linalg.norm(np.diff(vel, axis=0, prepend=vel[:1]), axis=1)
    size_step = np.abs(np.r_[0.0, np.diff(np.log(target.radius))])
    return {
        "camera_motion": (cam_step > 0.004 * scale) | (zoom_step > 0.005),
        "illum_change": np.abs(np.r_[0.0, np.diff(plan.gain)]) > 0.03,
        "motion_change": acc > 0.006 * scale,
        "size_change": size_step > 0.02,
        "occlusion": occluded,
    }


def anchors(frames: int, step: int) -> np.ndarray:
    """VOT2020-style anchor values: +1 forward anchors in the first half (frame 0 included), -1 backward anchors in
    the second half (last frame included), 0 elsewhere."""
    values = np.zeros(frames, np.int64)
    for t in range(0, frames, step):
        values[t] = 1 if t < frames / 2 else -1
    values[0] = 1
    if frames > 1:
        values[-1] = -1
    return values


def write_vot(out: Path, fmt: str, sequences: int, frames: int, seed: int, size: tuple[int, int],
              anchor_step: int = 50, style: str = "procedural", photos: str = "auto") -> None:
    if fmt not in VOT_FORMATS:
        raise ValueError(f"unknown VOT format {fmt!r}; expected one of {VOT_FORMATS}")
    names = sequence_names(sequences)
    for i, name in enumerate(names):
        seq = out / name
        frame_dir = seq if fmt == "vot-legacy" else seq / "color"
        plan = make_plan(seed, "vot", i, SceneOptions(size=size, frames=frames, num_targets=1, allow_absent=False,
                                                       style=style, photos=resolve_photos(photos, "test")))
        regions = []
        occluded = np.zeros(frames, bool)
        log = FrameLog()
        for t, fr in enumerate(render_all(plan, log)):
            write_jpeg(frame_dir / f"{t + 1:08d}.jpg", fr.image)
            mask = fr.mask(1)
            if not mask.any():
                raise RuntimeError(f"{seq}: frame {t + 1} rendered without a visible target; VOT ground truth cannot "
                                   "be absent (scene planning bug)")
            occluded[t] = fr.visible_area[0] < 0.9 * fr.in_frame_area[0]
            if fmt == "vot2020":
                regions.append(Mask.from_full(mask))
            else:
                regions.append(Polygon(mask_to_min_area_polygon(mask)))
        write_region_file(seq / "groundtruth.txt", regions)
        for tag, values in frame_tags(plan, occluded).items():
            write_text(seq / f"{tag}.tag", "".join(f"{int(v)}\n" for v in values))
        if style == "photo":
            extra = frame_attributes(plan, log)[1]
            for tag in EXTRA_VOT_TAGS:
                write_text(seq / f"{tag}.tag", "".join(f"{int(v)}\n" for v in extra[tag]))
            write_json(seq / SIDECAR_NAME, sidecar_record(plan, log))
        if fmt != "vot-legacy":
            write_text(seq / "sequence", f"channels.color=color/%08d.jpg\nfps=30\nformat=default\nname={name}\n")
        if fmt == "vot2020":
            write_text(seq / "anchor.value", "".join(f"{v}\n" for v in anchors(frames, anchor_step)))
    write_text(out / "list.txt", "".join(f"{n}\n" for n in names))
