"""Render one frame of a :class:`ScenePlan`: background warp, object layers, occlusion, lighting, blur and noise.

Ground truth comes from the object layer itself: ``ids`` holds, per pixel, the id of the target visible there after
all later layers (other targets, occluders) were drawn over it. Lighting, blur and noise change only the image.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ltr.dataset.synthetic.scene import ObjectTrack, ScenePlan

_SHIFT = 4  # sub-pixel bits for cv2.fillPoly


@dataclass
class RenderedFrame:
    """``image`` (H, W, 3) uint8 RGB; ``ids`` (H, W) uint8 target ids (0 = background); per target k (index k-1):
    ``visible_area`` pixels with id k, ``in_frame_area`` pixels of the target inside the frame before anything was
    drawn over it, ``full_area`` pixels of the whole target ignoring the frame border, ``cut_by_image`` the outline crosses it."""

    image: np.ndarray
    ids: np.ndarray
    visible_area: np.ndarray
    in_frame_area: np.ndarray
    full_area: np.ndarray
    cut_by_image: np.ndarray

    def mask(self, obj_id: int) -> np.ndarray:
        return (self.ids == obj_id).astype(np.uint8)


def _polygon_pixels(poly: np.ndarray) -> int:
    """Pixels the polygon covers when rasterised like ``_draw_object`` does, ignoring the frame border."""
    x0, y0 = np.floor(poly.min(axis=0)).astype(int) - 1
    x1, y1 = np.ceil(poly.max(axis=0)).astype(int) + 2
    canvas = np.zeros((y1 - y0, x1 - x0), np.uint8)
    pts = np.round((poly - [x0, y0]) * (1 << _SHIFT)).astype(np.int32)
    cv2.fillPoly(canvas, [pts], 1, lineType=cv2.LINE_8, shift=_SHIFT)
    return int(canvas.sum())


def _draw_object(image: np.ndarray, obj: ObjectTrack, t: int) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """Composite ``obj`` into ``image`` in place; return (ROI slices, boolean ROI mask) or None when off-screen.

    The returned mask is the exact binary layer (ground truth); the image gets a 1-pixel anti-aliased edge."""
    h, w = image.shape[:2]
    poly = obj.contour(t)
    pad = 2
    x0 = max(int(np.floor(poly[:, 0].min())) - pad, 0)
    y0 = max(int(np.floor(poly[:, 1].min())) - pad, 0)
    x1 = min(int(np.ceil(poly[:, 0].max())) + 1 + pad, w)
    y1 = min(int(np.ceil(poly[:, 1].max())) + 1 + pad, h)
    if x1 <= x0 or y1 <= y0:
        return None
    roi_mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    pts = np.round((poly - [x0, y0]) * (1 << _SHIFT)).astype(np.int32)
    cv2.fillPoly(roi_mask, [pts], 1, lineType=cv2.LINE_8, shift=_SHIFT)
    m = roi_mask.astype(bool)
    if not m.any():
        return None
    # Texture: rotate and scale the object's texture patch about its centre onto the object's centre (ROI coords).
    tsize = obj.texture.shape[0]
    s = float(obj.radius[t]) / obj.texture_radius
    a = float(obj.angle[t])
    c, sn = s * np.cos(a), s * np.sin(a)
    tc = (tsize - 1) / 2.0
    cx, cy = float(obj.cx[t]) - x0, float(obj.cy[t]) - y0
    mat = np.array([[c, -sn, cx - (c * tc - sn * tc)], [sn, c, cy - (sn * tc + c * tc)]], np.float64)
    warped = cv2.warpAffine(obj.texture, mat, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_REFLECT).astype(np.float32)
    # Soft shading towards the rim gives the flat texture some volume.
    if obj.warp > 0:
        warped = _nonrigid(warped, obj, t, (cx, cy))
    dist = cv2.distanceTransform(roi_mask, cv2.DIST_L2, 3)
    floor, gain = obj.shade
    warped *= (floor + gain * np.clip(dist / max(float(obj.radius[t]) * 0.6, 1.0), 0, 1))[..., None]
    alpha = cv2.GaussianBlur(roi_mask.astype(np.float32), (3, 3), 0.6)[..., None]
    region = (slice(y0, y1), slice(x0, x1))
    roi = image[region].astype(np.float32)
    image[region] = np.clip(roi * (1 - alpha) + warped * alpha, 0, 255).astype(np.uint8)
    return region, m


def _nonrigid(patch: np.ndarray, obj: ObjectTrack, t: int, centre) -> np.ndarray:
    """Smooth, time-varying displacement of the object's appearance (H, W, 3) float32: two travelling sine waves of
    amplitude ``obj.warp * radius`` and wavelength about 1.5 radii, fixed at the object's centre."""
    h, w = patch.shape[:2]
    r = max(float(obj.radius[t]), 1.0)
    amp = obj.warp * r
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    u, v = (xx - centre[0]) / r, (yy - centre[1]) / r
    phase = 0.35 * t + 3.0 * obj.warp
    map_x = xx + amp * np.sin(4.2 * v + phase)
    map_y = yy + amp * np.sin(4.2 * u - 1.3 * phase)
    return cv2.remap(patch, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)


def render_frame(plan: ScenePlan, t: int, with_occluders: bool = True) -> RenderedFrame:
    """Render frame ``t``. With ``options.allow_absent`` False, occluders are left out of a frame where they would
    hide almost all of a target (VOT-style ground truth has no absent frames)."""
    opts = plan.options
    w, h = opts.size
    z = float(plan.cam_zoom[t])
    cx, cy = plan.cam_center[t]
    cam = np.array([[z, 0, w / 2 - z * cx], [0, z, h / 2 - z * cy]], np.float64)
    image = cv2.warpAffine(plan.background, cam, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    ids = np.zeros((h, w), np.uint8)
    targets = plan.targets
    n = len(targets)
    in_frame = np.zeros(n, np.int64)
    full = np.zeros(n, np.float64)
    cut = np.zeros(n, bool)
    for obj in plan.objects:
        if obj.kind == "occluder" and not with_occluders:
            continue
        drawn = _draw_object(image, obj, t)
        if obj.kind == "target":
            k = obj.obj_id - 1
            poly = obj.contour(t)
            full[k] = _polygon_pixels(poly)
            cut[k] = bool((poly[:, 0] < 0).any() or (poly[:, 0] > w - 1).any() or (poly[:, 1] < 0).any()
                          or (poly[:, 1] > h - 1).any())
        if drawn is None:
            continue
        region, m = drawn
        if obj.kind == "target":
            ids[region][m] = obj.obj_id
            in_frame[obj.obj_id - 1] = int(m.sum())
        elif obj.kind == "occluder":
            ids[region][m] = 0
    visible = np.bincount(ids.ravel(), minlength=n + 1)[1:n + 1]
    if with_occluders and not opts.allow_absent:
        if np.any(visible < np.maximum(10, 0.1 * in_frame)):
            return render_frame(plan, t, with_occluders=False)

    # Lighting (global gain and colour tint) through a per-channel lookup table, motion blur, sensor noise (a shifted
    # window of the plan's fixed noise field, added with uint8 saturation): image only.
    factors = plan.gain[t] * plan.tint[t]
    lut = np.clip(np.arange(256, dtype=np.float64)[:, None] * factors[None, :], 0, 255).astype(np.uint8)
    image = cv2.LUT(image, lut.reshape(256, 1, 3))
    length = float(plan.blur_len[t])
    if length >= 2.0:
        k = int(np.ceil(length)) | 1
        kernel = np.zeros((k, k), np.float32)
        c = k // 2
        dx, dy = np.cos(plan.blur_angle[t]) * length / 2, np.sin(plan.blur_angle[t]) * length / 2
        cv2.line(kernel, (int(round(c - dx)), int(round(c - dy))), (int(round(c + dx)), int(round(c + dy))), 1.0, 1)
        kernel /= kernel.sum()
        image = cv2.filter2D(image, -1, kernel, borderType=cv2.BORDER_REFLECT)
    pos, neg = plan.noise
    oy, ox = np.random.default_rng([plan.noise_seed, t]).integers(0, [pos.shape[0] - h + 1, pos.shape[1] - w + 1])
    image = cv2.subtract(cv2.add(image, pos[oy:oy + h, ox:ox + w]), neg[oy:oy + h, ox:ox + w])
    if plan.jpeg_quality is not None:
        ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, int(plan.jpeg_quality),
                                                cv2.IMWRITE_JPEG_OPTIMIZE, 0])
        if not ok:
            raise RuntimeError("OpenCV could not JPEG-encode a rendered frame")
        image = cv2.imdecode(data, cv2.IMREAD_UNCHANGED)
    return RenderedFrame(image=image, ids=ids, visible_area=visible.astype(np.int64), in_frame_area=in_frame,
                         full_area=full, cut_by_image=cut)
