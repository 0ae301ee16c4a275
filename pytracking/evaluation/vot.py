"""VOT short-term sequences (VOT2016-2019 polygons, VOT2020 RLE masks), both folder layouts:

* toolkit layout: ``<root>/list.txt``, ``<root>/<seq>/sequence`` (``channels.color=color/%08d.jpg``),
  ``<seq>/color/00000001.jpg ...``, ``<seq>/groundtruth.txt``, per-frame tags ``<seq>/<tag>.tag``;
* legacy layout (the original VOT2016 download): frames ``<seq>/00000001.jpg`` next to ``groundtruth.txt``, tags
  ``<seq>/<tag>.label``.

Ground truth lines are VOT region text (:mod:`ltr.regions.vot_text`): 8 numbers per polygon (4 numbers, a rectangle,
are turned into its 4 corners), or ``m<x>,<y>,<w>,<h>,<runs>`` masks (VOT2020; an empty mask marks an absent target).
``ground_truth_rect`` holds the polygon's axis-aligned bounds (the mask's tight box for VOT2020). Tag files shorter
than the sequence are padded with 0 as the vot-toolkit does; longer ones are an error.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ltr.admin.errors import DataFormatError
from ltr.dataset.annotations import check_frame_count, list_frames, read_flags, read_list, read_rows
from ltr.regions.convert import box_to_polygon, mask_to_box, polygon_to_box
from ltr.regions.vot_text import Mask, Polygon, Rectangle, read_region_file
from ltr.dataset.sequence_attributes import SIDECAR_NAME, merge_sidecar
from pytracking.evaluation.data import Sequence, SequenceList
from ltr.admin.textio import read_lines

__all__ = ["load_vot", "load_vot_sequence", "read_sequence_properties"]


def read_sequence_properties(path: str | os.PathLike) -> dict[str, str]:
    """``key=value`` lines of a VOT ``sequence`` file."""
    props = {}
    for i, line in enumerate(read_lines(path), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise DataFormatError(path, f"expected 'key=value', got {line[:80]!r}", line=i)
        key, value = line.split("=", 1)
        props[key.strip()] = value.strip()
    return props


def _frame_folder(seq_dir: Path) -> tuple[Path, str, dict]:
    """(frames folder, layout name, properties)."""
    props_file = seq_dir / "sequence"
    if props_file.is_file():
        props = read_sequence_properties(props_file)
        pattern = props.get("channels.color", "color/%08d.jpg")
        folder = seq_dir / os.path.dirname(pattern.replace("\\", "/"))
        return folder, "vot", props
    if (seq_dir / "color").is_dir():
        return seq_dir / "color", "vot", {}
    return seq_dir, "vot-legacy", {}


def load_vot_sequence(seq_dir: str | os.PathLike, dataset: str = "vot") -> Sequence:
    """One VOT sequence folder."""
    seq_dir = Path(seq_dir)
    folder, layout, props = _frame_folder(seq_dir)
    frames = list_frames(folder, extensions=(".jpg", ".jpeg", ".png"))
    gt_path = seq_dir / "groundtruth.txt"
    regions = read_region_file(gt_path)
    check_frame_count(frames, len(regions), gt_path, folder)
    n = len(frames)
    kinds = {type(r) for r in regions}
    rects = np.full((n, 4), np.nan)
    polygons = None
    mask_regions = None
    for i, r in enumerate(regions):
        if not isinstance(r, (Rectangle, Polygon, Mask)):
            raise DataFormatError(gt_path, "expected a region (4 or 8 numbers, or an RLE mask), got a special code or "
                                           "NaN; VOT ground truth has a region on every line", line=i + 1)
        if isinstance(r, Rectangle) and (r.width < 0 or r.height < 0):
            raise DataFormatError(gt_path, f"rectangle with a negative width or height ({r.width:g} x {r.height:g}); "
                                           f"write x,y,w,h with w, h >= 0", line=i + 1)
        if isinstance(r, Polygon) and r.points.shape[0] != 4:
            raise DataFormatError(gt_path, f"expected a 4-corner polygon (8 numbers), got {r.points.size} numbers",
                                  line=i + 1)
    if Mask in kinds:
        if kinds != {Mask}:
            raise DataFormatError(gt_path, "mixes masks with rectangles/polygons; VOT2020 ground truth is all masks")
        mask_regions = list(regions)
        for i, m in enumerate(regions):
            box = mask_to_box(m.mask)
            if box is not None:
                rects[i] = box + np.array([m.offset[0], m.offset[1], 0, 0])
        region_type = "mask"
    else:
        polygons = np.stack([box_to_polygon(r.as_array()) if isinstance(r, Rectangle) else r.flat for r in regions])
        rects = polygon_to_box(polygons)
        region_type = "polygon"
    tags = {}
    for tag_file in sorted(list(seq_dir.glob("*.tag")) + list(seq_dir.glob("*.label"))):
        values = read_flags(tag_file, what="tag")
        if values.size > n:
            raise DataFormatError(tag_file, f"tag file has {values.size} values but the sequence has {n} frames")
        tags[tag_file.stem] = np.concatenate([values, np.zeros(n - values.size, bool)])
    values = {}
    for value_file in sorted(seq_dir.glob("*.value")):
        numbers = read_rows(value_file, widths=(1,), what="value").reshape(-1)
        if numbers.size != n:
            raise DataFormatError(value_file, f"has {numbers.size} values but the sequence has {n} frames")
        values[value_file.stem] = numbers
    visible = ~np.isnan(rects).any(axis=1)
    attributes = merge_sidecar({"layout": layout, "annotated_frames": n}, seq_dir / SIDECAR_NAME)
    if values:
        attributes["values"] = values  # per-frame numbers, e.g. VOT2020 "anchor"
    if props:
        attributes["properties"] = props
    return Sequence(name=seq_dir.name, dataset=dataset, frames=frames, ground_truth_rect=rects,
                    ground_truth_polygon=polygons, mask_regions=mask_regions, object_ids=[1], target_visible=visible,
                    tags=tags, attributes=attributes, region_type=region_type)


def load_vot(root: str | os.PathLike, dataset: str = "vot2018") -> SequenceList:
    """All sequences named in ``<root>/list.txt``."""
    root = Path(root)
    list_file = root / "list.txt"
    names = read_list(list_file)
    out = SequenceList()
    for line, name in enumerate(names, start=1):
        seq_dir = root / name
        if not seq_dir.is_dir():
            raise DataFormatError(list_file, f"names sequence {name!r} but {seq_dir} is not a folder", line=line)
        out.append(load_vot_sequence(seq_dir, dataset))
    return out
