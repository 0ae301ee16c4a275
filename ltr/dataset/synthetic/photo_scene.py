"""Photographic scene plans: a background photograph seen through a moving camera, objects cut from photographs.

Same :class:`ScenePlan` as the procedural style (``scene.py``), rendered by the same ``render.py``, with natural-image
content: the background is a photo (``photos.py``) larger than the frame, panned, zoomed and shaken; targets are
smooth blob / ellipse cut-outs of object-like photo regions (the cat, the astronaut, the rocket, ...) keeping their own
appearance; they rotate, change scale, deform non-rigidly (contour wobble + texture warp), move fast at times, leave
the view and come back. Look-alike distractors are cut from the same photo region (recoloured a little); occluders
are cut from other photos. Frames get lighting drift and steps, motion blur, sensor noise and JPEG compression at a
per-sequence quality of 55..85. Which of these happen is recorded per frame by ``attributes.py``.
"""
from __future__ import annotations

import cv2
import numpy as np

from ltr.dataset.synthetic.photos import Photo, load_photo, photos_for, pick_region
from ltr.dataset.synthetic.scene import (ObjectTrack, ScenePlan, SceneOptions, _smooth_path,
                                         camera_path, centre_path, distractor_count, occluder_count, occluder_path,
                                         place_near_target, plan_absence, plan_lighting_and_blur, sensor_noise)
from ltr.dataset.synthetic.shapes import ShapeSpec, random_shape, similar_shape

#: largest contour radius / mean radius for photo shapes (wobble and stretch <= 2 included)
PHOTO_EXTENT = 2.8

_CATEGORIES = {"astronaut": "person", "coffee": "cup", "motorcycle_left": "motorbike", "motorcycle_right": "motorbike",
               "camera": "person", "chelsea": "cat", "rocket": "rocket", "grace_hopper": "person",
               "retina": "eye", "coins": "coin"}


def _background(rng: np.random.Generator, photo: Photo, bw: int, bh: int) -> np.ndarray:
    """(bh, bw, 3) uint8: a random crop of the photo covering the canvas (scaled up if needed), maybe mirrored,
    with a small random colour balance and gamma."""
    src = load_photo(photo.name)
    h, w = src.shape[:2]
    scale = max(bw / w, bh / h) * rng.uniform(1.0, 1.25)
    cw, ch = bw / scale, bh / scale
    x0, y0 = rng.uniform(0, w - cw), rng.uniform(0, h - ch)
    mat = np.array([[scale, 0, -x0 * scale], [0, scale, -y0 * scale]], np.float64)
    out = cv2.warpAffine(src, mat, (bw, bh), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    if rng.random() < 0.5:
        out = out[:, ::-1]
    gamma = rng.uniform(0.85, 1.15)
    gains = rng.uniform(0.92, 1.08, 3)
    lut = 255.0 * (np.arange(256)[:, None] / 255.0) ** gamma * gains[None]
    return cv2.LUT(np.ascontiguousarray(out), np.clip(lut, 0, 255).astype(np.uint8).reshape(256, 1, 3))


def _cut_texture(rng: np.random.Generator, photo: Photo, region, radius: float, stretch: float,
                 hue_shift: float = 0.0) -> np.ndarray:
    """Square (T, T, 3) uint8 texture for an object of mean radius ``radius``: the photo region mapped onto the
    (stretched) unit contour, the surrounding photo beyond it (wobble shows real neighbouring content)."""
    src = load_photo(photo.name)
    x0, y0, x1, y1 = region
    size = int(np.ceil(2 * PHOTO_EXTENT * radius)) + 4
    # photo pixels per texture pixel: the region's half-width maps to radius / sqrt(stretch) (slightly inside it)
    k = 0.92 * np.sqrt(max(x1 - x0, 2.0) * max(y1 - y0, 2.0)) / (2 * radius)
    tc = (size - 1) / 2.0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    flip = -1.0 if rng.random() < 0.5 else 1.0
    # texture (u, v) -> photo (cx + flip * k (u - tc), cy + k (v - tc)); warpAffine wants the inverse map
    inv = np.array([[flip * k, 0, cx - flip * k * tc], [0, k, cy - k * tc]], np.float64)
    # downscaling (k > 1.5 photo pixels per texture pixel): prefilter against aliasing
    img = cv2.GaussianBlur(src, (0, 0), 0.45 * k) if k > 1.5 else src
    tex = cv2.warpAffine(img, inv, (size, size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                         borderMode=cv2.BORDER_REFLECT)
    if hue_shift:
        hsv = cv2.cvtColor(tex, cv2.COLOR_RGB2HSV)
        hsv[..., 0] = ((hsv[..., 0].astype(np.int16) + int(round(hue_shift))) % 180).astype(np.uint8)
        tex = cv2.cvtColor(hsv, cv2.COLOR_HSV2RGB)
    return np.ascontiguousarray(tex)


def _photo_shape(rng: np.random.Generator, region, deform: float) -> ShapeSpec:
    x0, y0, x1, y1 = region
    stretch = float(np.clip((y1 - y0) / max(x1 - x0, 1.0), 0.5, 2.0))
    base = random_shape(rng, family=str(rng.choice(["blob", "ellipse"])), deform=deform)
    return ShapeSpec(family=base.family, aspect=float(rng.uniform(0.85, 1.0)), n_arms=base.n_arms,
                     arm_depth=base.arm_depth, harmonics=base.harmonics * 0.6, wobble=base.wobble, stretch=stretch)


def _track(rng, opts: SceneOptions, kind: str, obj_id: int, shape: ShapeSpec, r0: float, inside: bool,
           scale_range: float, fast: bool) -> ObjectTrack:
    """Smooth translation / rotation / scale path (texture filled in by the caller); ``fast`` adds a quick jump."""
    f = opts.frames
    pos, key_step, (lo, hi) = centre_path(rng, opts, r0, inside)
    if fast and f >= 8:
        t0 = int(rng.integers(2, f - 4))
        dur = int(rng.integers(2, 4))
        target = np.array([rng.uniform(lo[0], hi[0]), rng.uniform(lo[1], hi[1])])
        jump = target - pos[t0]
        s = np.clip((np.arange(f) - t0) / dur, 0, 1)[:, None]
        pos = pos + jump[None] * (s * s * (3 - 2 * s))
    log_scale = _smooth_path(rng, f, key_step, [-scale_range], [scale_range])[:, 0]
    log_scale -= log_scale[0]
    spin = _smooth_path(rng, f, key_step, [-0.6], [0.6])[:, 0]
    angle = rng.uniform(-0.4, 0.4) + np.cumsum(spin) / key_step
    return ObjectTrack(kind=kind, obj_id=obj_id, shape=shape, texture=np.zeros((1, 1, 3), np.uint8),
                       texture_radius=1.0, cx=pos[:, 0].copy(), cy=pos[:, 1].copy(), radius=r0 * np.exp(log_scale),
                       angle=angle, shade=(0.88, 0.12))


def _dress(rng, track: ObjectTrack, photo: Photo, region, hue_shift: float = 0.0) -> ObjectTrack:
    radius = float(track.radius.max())
    track.texture = _cut_texture(rng, photo, region, radius, track.shape.stretch, hue_shift)
    track.texture_radius = radius
    track.source = f"{photo.name}:" + ",".join(f"{v:.0f}" for v in region)
    return track


def _photo_occluder(rng: np.random.Generator, opts: SceneOptions, targets: list[ObjectTrack], pool: list[Photo],
                    used: list[str], events: dict) -> ObjectTrack:
    """One occluder cut from a photo of ``pool`` crossing a target (:func:`occluder_path`); the photo's name is
    appended to ``used`` and the crossing ``(target id, frame)`` to ``events["occluders"]``."""
    path = occluder_path(rng, opts, targets, extent=PHOTO_EXTENT)
    photo = pool[int(rng.integers(len(pool)))]
    region = pick_region(rng, photo, listed_prob=0.4)
    shape = _photo_shape(rng, region, deform=0.3)
    occ = ObjectTrack(kind="occluder", obj_id=0, shape=shape, texture=np.zeros((1, 1, 3), np.uint8),
                      texture_radius=1.0, cx=path.cx, cy=path.cy, radius=np.full(opts.frames, path.radius),
                      angle=rng.uniform(0, 6.3) + 0.02 * path.t, shade=(0.88, 0.12))
    _dress(rng, occ, photo, region)
    used.append(photo.name)
    events["occluders"].append((path.ref.obj_id, path.tc))
    return occ


def plan_photo_scene(rng: np.random.Generator, opts: SceneOptions) -> ScenePlan:
    """Draw a photographic sequence plan from ``opts.photos`` (deterministic for the generator's state)."""
    w, h = opts.size
    f = opts.frames
    short = min(w, h)
    pool = photos_for(opts.photos)
    backgrounds = [p for p in pool if p.background]
    events: dict = {"exits": [], "late_entries": [], "occluders": [], "distractors": 0, "illum_steps": [],
                    "blur_frames": [], "fast": [], "deforming": []}

    bg_photo = backgrounds[int(rng.integers(len(backgrounds)))]
    # targets come from photos with object-like regions, other than the background's when possible
    object_pool = [p for p in pool if p.regions and p.name != bg_photo.name] or [p for p in pool if p.regions]
    bw, bh = int(np.ceil(w * 1.4)), int(np.ceil(h * 1.4))
    background = _background(rng, bg_photo, bw, bh)
    used = [bg_photo.name]

    # Camera: pan and zoom inside the background, optional hand-held shake.
    cam_center, cam_zoom = camera_path(rng, opts, (bh, bw), zoom_range=(0.9, 1.25), max_step=0.2 * short)
    if rng.random() < 0.4:
        cam_center = cam_center + rng.normal(0, 0.006 * short, (f, 2))
    cam_center[:, 0] = np.clip(cam_center[:, 0], w / 2 / cam_zoom, bw - w / 2 / cam_zoom)
    cam_center[:, 1] = np.clip(cam_center[:, 1], h / 2 / cam_zoom, bh - h / 2 / cam_zoom)

    # Lighting drift and steps (a light switched, a cloud), motion blur from the camera and short events.
    gain, tint, blur_len, blur_angle = plan_lighting_and_blur(rng, opts, cam_center, cam_zoom, events,
                                                              step_high=0.45, gain_low=0.45, tint=0.07,
                                                              blur_high=12.0)

    # Targets.
    targets = []
    for k in range(1, opts.num_targets + 1):
        small = rng.random() < opts.small_target_prob
        r0 = short * (rng.uniform(0.03, 0.05) if small else rng.uniform(0.09, 0.17) / np.sqrt(opts.num_targets))
        r0 = max(r0, 4.0)
        photo = object_pool[int(rng.integers(len(object_pool)))]
        region = pick_region(rng, photo)
        deforming = rng.random() < 0.5
        shape = _photo_shape(rng, region, deform=1.8 if deforming else 0.1)
        fast = rng.random() < 0.3
        scale_range = 0.45 if rng.random() < 0.4 else 0.2
        for _attempt in range(20):
            track = _track(rng, opts, "target", k, shape, r0, inside=True, scale_range=scale_range, fast=fast)
            if all(np.hypot(track.cx[0] - o.cx[0], track.cy[0] - o.cy[0]) > 1.6 * (r0 + o.radius[0])
                   for o, *_ in targets):
                break
        track.radius = np.clip(track.radius * cam_zoom / cam_zoom[0], 3.0, 0.25 * short)
        if not opts.allow_absent:  # the grown radius and the quick jumps must not carry the centre out of view
            mx, my = np.minimum(track.radius, w / 2 - 1), np.minimum(track.radius, h / 2 - 1)
            track.cx, track.cy = np.clip(track.cx, mx, w - 1 - mx), np.clip(track.cy, my, h - 1 - my)
        track.warp = float(rng.uniform(0.05, 0.1)) if deforming else 0.0
        track.category = _CATEGORIES.get(photo.name, "object")
        _dress(rng, track, photo, region)
        used.append(photo.name)
        if deforming:
            events["deforming"].append(k)
        if fast:
            events["fast"].append(k)
        plan_absence(rng, track, k, opts, events, extent=PHOTO_EXTENT)
        targets.append((track, photo, region))

    # Look-alike distractors: the target's own photo region (a neighbouring cut, slightly recoloured), passing near.
    distractors = []
    for _ in range(distractor_count(rng, opts)):
        ref, photo, region = targets[int(rng.integers(len(targets)))]
        dx, dy = rng.uniform(-0.08, 0.08, 2) * [region[2] - region[0], region[3] - region[1]]
        d_region = (region[0] + dx, region[1] + dy, region[2] + dx, region[3] + dy)
        d = _track(rng, opts, "distractor", 0, similar_shape(rng, ref.shape),
                   float(ref.radius[0] * rng.uniform(0.85, 1.15)), inside=False, scale_range=0.2, fast=False)
        d.category = ref.category
        _dress(rng, d, photo, d_region, hue_shift=float(rng.uniform(-8, 8)))
        place_near_target(rng, d, ref, [t[0] for t in targets], beside=2.4, gap=3.2)
        distractors.append(d)
    events["distractors"] = len(distractors)

    # Occluders: cut from other photos, crossing a target's path on top of it.
    occluders = [_photo_occluder(rng, opts, [t[0] for t in targets], pool, used, events)
                 for _ in range(occluder_count(rng, opts))]

    noise = sensor_noise(rng, (h, w), sigma=float(rng.uniform(1.5, 4.5)))
    return ScenePlan(options=opts, background=background, cam_center=cam_center, cam_zoom=cam_zoom, gain=gain,
                     tint=tint, blur_len=blur_len, blur_angle=blur_angle, noise_seed=int(rng.integers(0, 2**31 - 1)),
                     noise=noise, objects=distractors + [t[0] for t in targets] + occluders, events=events,
                     jpeg_quality=int(rng.integers(55, 86)), photos_used=tuple(dict.fromkeys(used)))
