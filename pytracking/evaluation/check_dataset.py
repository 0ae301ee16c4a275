"""``python -m pytracking.evaluation.check_dataset NAME [--root DIR] [--json]``: validate an installed dataset.

Every frame must exist and decode, the ground truth must parse with one entry per frame, annotation PNGs must be
palette images of the frames' size, and every object id must appear in its first annotated frame. Prints per
sequence the frame count and the first ground-truth region (``[x, y, w, h]`` boxes, 8 polygon values, masks as
``{"bbox": [x, y, w, h], "area": pixels}``, per object id for multi-object sets). Exit code 1 and the errors on stderr
when validation fails.
"""
from __future__ import annotations

import argparse
import json
import sys

import numpy as np

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_root
from ltr.admin.errors import DataFormatError
from ltr.admin.settings import SettingsError
from ltr.data.image_io import read_image
from ltr.regions.convert import mask_to_box
from pytracking.evaluation.data import Sequence
from pytracking.evaluation.datasets import DATASETS, dataset_arg, dataset_root, get_dataset

__all__ = ["check_dataset", "first_region", "main"]


def _mask_summary(mask: np.ndarray) -> dict:
    box = mask_to_box(mask)
    return {"bbox": None if box is None else [float(v) for v in box], "area": int(np.count_nonzero(mask))}


def _is_multi_object(seq: Sequence) -> bool:
    return seq.mask_files is not None and not seq.merge_objects


def first_region(seq: Sequence):
    """JSON-able first ground-truth region of ``seq`` (see module docstring)."""
    if seq.region_type == "rect":
        return [float(v) for v in seq.ground_truth_rect[0]]
    if seq.region_type == "polygon":
        return [float(v) for v in seq.ground_truth_polygon[0]]
    if _is_multi_object(seq):
        return {str(k): _mask_summary(seq.ground_truth_mask(seq.first_frame_of(k), k)) for k in seq.object_ids}
    return _mask_summary(seq.ground_truth_mask(0) != 0)


def _validate(seq: Sequence, read_frames: bool) -> None:
    """Raise :class:`DataFormatError` for the first problem of ``seq``."""
    height, width = seq.image_size()
    if read_frames:
        for path in seq.frames:
            image = read_image(path, strict=True)
            if image.shape[:2] != (height, width):
                raise DataFormatError(path, f"frame is {image.shape[1]}x{image.shape[0]} but the sequence's first "
                                            f"frame is {width}x{height}")
    if seq.mask_files is not None:
        for i, path in enumerate(seq.mask_files):
            if path is not None:
                seq.ground_truth_mask(i)  # palette PNG of the frame size, or an error naming it
        for k in seq.object_ids:
            first = seq.first_frame_of(k)
            if not seq.ground_truth_mask(first, k).any():
                raise DataFormatError(seq.mask_files[first] or seq.name,
                                      f"object id {k} does not appear in its first annotated frame")
    if seq.mask_regions is not None:
        for i, region in enumerate(seq.mask_regions):
            if region is not None:
                x, y = region.offset
                h, w = region.mask.shape
                if h and w and (x < 0 or y < 0 or x + w > width or y + h > height):
                    raise DataFormatError(seq.frames[i], f"ground-truth mask of frame {i + 1} ({w}x{h} at {x},{y}) "
                                                         f"reaches outside the {width}x{height} image")


def check_dataset(name: str, root=None, read_frames: bool = True) -> tuple[dict, list[str]]:
    """(report, errors): report = ``{"dataset", "root", "sequences": [{"name", "frames", "first_region"}]}``."""
    errors: list[str] = []
    report: dict = {"dataset": name, "root": None, "sequences": []}
    try:
        report["root"] = str(dataset_root(name, root))
        sequences = get_dataset(name, root=root)
    except (DataFormatError, SettingsError) as exc:
        return report, [str(exc)]
    for seq in sequences:
        try:
            _validate(seq, read_frames)
            entry = {"name": seq.name, "frames": len(seq.frames), "first_region": first_region(seq)}
        except DataFormatError as exc:
            errors.append(str(exc))
            continue
        report["sequences"].append(entry)
    return report, errors


def _format_region(region) -> str:
    if isinstance(region, dict) and "area" not in region:
        return "; ".join(f"{k}: {_format_region(v)}" for k, v in region.items())
    if isinstance(region, dict):
        box = region["bbox"]
        return f"mask area {region['area']} bbox {'-' if box is None else ','.join(f'{v:g}' for v in box)}"
    return ",".join(f"{v:g}" for v in region)


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pytracking.evaluation.check_dataset",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("name", type=dataset_arg, choices=list(DATASETS), metavar="NAME",
                        help=f"one of: {', '.join(DATASETS)} (any case)")
    add_root(parser, help="dataset folder (default: the settings key of NAME)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--no-frames", action="store_true", help="skip decoding every frame (faster)")
    args = parser.parse_args(argv)
    report, errors = check_dataset(args.name, args.root, read_frames=not args.no_frames)
    if args.json:
        out = dict(report)
        if errors:
            out["errors"] = errors
        print(json.dumps(out))
    else:
        print(f"{report['dataset']}: {len(report['sequences'])} valid sequences under {report['root']}")
        for entry in report["sequences"]:
            print(f"  {entry['name']:<24} {entry['frames']:>6} frames  first: {_format_region(entry['first_region'])}")
    if errors:
        print(f"{len(errors)} error(s):", file=sys.stderr)
        for e in errors:
            print(f"  {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
