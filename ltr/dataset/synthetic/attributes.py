"""Per-frame challenge attributes of a rendered sequence, derived from its plan and the rendered object layers.

Attribute definitions (target k, frame t; r = mean radius in pixels, S = short side of the frame):

==================  ==========================================================================================
occlusion           part of the target inside the frame is hidden: 0 <= visible < 0.9 * in-frame pixels
full_occlusion      inside the frame but nothing visible (visible == 0 < in-frame)
out_of_view         no target pixel inside the frame (absent ground truth)
deformation         non-rigid target (contour wobble and texture warp; all frames of a deforming target)
distractor          a look-alike distractor within 3 (r_target + r_distractor) of the target, in the frame
fast_motion         centre moved more than 0.6 r since the previous frame
scale_change        r(t) / r(0) outside [1/1.5, 1.5]
low_resolution      in the frame and the whole target has fewer than (0.07 S)^2 pixels
rotation            in-plane rotation of more than 30 degrees from frame 0
illumination_change global brightness changed by more than 3 % since the previous frame
motion_blur         motion-blur kernel of at least 4 pixels
camera_motion       the view pans by more than 0.4 % of S or zooms by more than 0.5 % per frame
==================  ==========================================================================================

A sequence (object) has an attribute when at least one frame has it.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ltr.dataset.sequence_attributes import SIDECAR_VERSION
from ltr.dataset.synthetic.scene import ScenePlan

ATTRIBUTES = ("occlusion", "full_occlusion", "out_of_view", "deformation", "distractor", "fast_motion",
              "scale_change", "low_resolution", "rotation", "illumination_change", "motion_blur", "camera_motion")

#: per-frame VOT tags written in photo mode besides the five classic ones (vot.TAG_NAMES)
EXTRA_VOT_TAGS = ("deformation", "distractor", "fast_motion", "low_resolution", "motion_blur", "rotation",
                  "out_of_view", "full_occlusion")


class FrameLog:
    """Per-frame object-layer statistics collected while rendering: ``visible``, ``in_frame``, ``full`` (F, K)."""

    def __init__(self):
        self._rows = []

    def add(self, frame) -> None:
        self._rows.append((frame.visible_area.copy(), frame.in_frame_area.copy(), np.asarray(frame.full_area).copy()))

    def arrays(self):
        vis, inf, full = (np.stack([r[i] for r in self._rows]) for i in range(3))
        return vis, inf, full


def frame_attributes(plan: ScenePlan, log: FrameLog) -> dict[int, dict[str, np.ndarray]]:
    """{target id: {attribute: (F,) bool}} for every target of ``plan``."""
    opts = plan.options
    w, h = opts.size
    f = opts.frames
    short = float(min(w, h))
    visible, in_frame, full = log.arrays()
    if visible.shape[0] != f:
        raise ValueError(f"frame log holds {visible.shape[0]} frames, the plan {f}: log every rendered frame")
    cam_step = np.r_[0.0, np.linalg.norm(np.diff(plan.cam_center, axis=0), axis=1)] * plan.cam_zoom
    zoom_step = np.abs(np.r_[0.0, np.diff(np.log(plan.cam_zoom))])
    common = {
        "illumination_change": np.abs(np.r_[0.0, np.diff(plan.gain)]) > 0.03,
        "motion_blur": plan.blur_len >= 4.0,
        "camera_motion": (cam_step > 0.004 * short) | (zoom_step > 0.005),
    }
    distractors = [o for o in plan.objects if o.kind == "distractor"]
    deforming = set(plan.events.get("deforming", []))
    out = {}
    for target in plan.targets:
        k = target.obj_id
        vis, inf, whole = visible[:, k - 1], in_frame[:, k - 1], full[:, k - 1]
        step = np.r_[0.0, np.hypot(np.diff(target.cx), np.diff(target.cy))]
        ratio = target.radius / target.radius[0]
        near = np.zeros(f, bool)
        for d in distractors:
            dist = np.hypot(d.cx - target.cx, d.cy - target.cy)
            in_view = (d.cx > -d.radius) & (d.cx < w - 1 + d.radius) & (d.cy > -d.radius) & (d.cy < h - 1 + d.radius)
            near |= (dist < 3 * (target.radius + d.radius)) & in_view
        attrs = {
            "occlusion": (inf > 0) & (vis < 0.9 * inf),
            "full_occlusion": (inf > 0) & (vis == 0),
            "out_of_view": inf == 0,
            "deformation": np.full(f, k in deforming),
            "distractor": near & (inf > 0),
            "fast_motion": step > 0.6 * target.radius,
            "scale_change": (ratio > 1.5) | (ratio < 1 / 1.5),
            "low_resolution": (inf > 0) & (whole < (0.07 * short) ** 2),
            "rotation": np.abs(target.angle - target.angle[0]) > np.pi / 6,
            **common,
        }
        out[k] = {name: np.asarray(attrs[name], bool) for name in ATTRIBUTES}
    return out


def sidecar_record(plan: ScenePlan, log: FrameLog, object_ids=None) -> dict:
    """JSON-able sidecar (``ltr.dataset.sequence_attributes``) for the targets ``object_ids`` (default: all)."""
    per_object = frame_attributes(plan, log)
    ids = sorted(per_object) if object_ids is None else [int(k) for k in object_ids]
    objects = {}
    for k in ids:
        frames = per_object[k]
        objects[str(k)] = {"attributes": [a for a in ATTRIBUTES if frames[a].any()],
                           "frames": {a: frames[a].astype(int).tolist() for a in ATTRIBUTES}}
    union = [a for a in ATTRIBUTES if any(a in o["attributes"] for o in objects.values())]
    return {"version": SIDECAR_VERSION, "style": plan.options.style, "photos": list(plan.photos_used),
            "photo_split": plan.options.photos, "jpeg_quality": plan.jpeg_quality, "attributes": union,
            "objects": objects}


def write_sidecar(path: Path, plan: ScenePlan, log: FrameLog, object_ids=None) -> None:
    """Write the sidecar of ``plan`` to ``path`` (photo style only; the procedural style writes none)."""
    from ltr.dataset.synthetic.common import write_json

    if plan.options.style == "photo":
        write_json(path, sidecar_record(plan, log, object_ids))
