"""Scene plans: every object's, the camera's and the lighting's state for each frame of one synthetic sequence.

A plan is drawn once from a random generator and is then rendered frame by frame (``render.py``). All positions are
frame pixel coordinates: the camera follows the action (objects move in the frame, the background pans and zooms),
as in real tracking videos. Events drawn here (exits, late entries, occluder passes, look-alike distractors, lighting
steps, motion blur) are kept in ``ScenePlan.events`` so tests and contact sheets can check that they happen.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.interpolate import PchipInterpolator

from ltr.dataset.synthetic.shapes import ShapeSpec, random_shape, similar_shape
from ltr.dataset.synthetic.background import cluttered_background
from ltr.dataset.synthetic.textures import TEXTURE_KINDS, make_texture, random_palette

#: Scene styles: procedural textures and shapes, or photographs bundled with installed packages.
STYLES = ("procedural", "photo")

#: Largest contour radius relative to the mean radius (star arms, blob harmonics and wobble stay below this).
MAX_EXTENT = 1.9


@dataclass(frozen=True)
class SceneOptions:
    """What a sequence may contain. ``allow_absent=False`` keeps every target at least partly visible in every frame
    (VOT short-term, OTB, TrackingNet); ``late_entry`` lets targets 2..K enter after frame 0 (YouTube-VOS)."""

    size: tuple[int, int] = (320, 240)          # (W, H)
    frames: int = 20
    num_targets: int = 1
    allow_absent: bool = True
    late_entry: bool = False
    small_target_prob: float = 0.15
    exit_prob: float = 0.35
    occluder_rate: float = 1.2                  # expected occluder passes per 50 frames
    distractor_prob: float = 0.6
    camera_motion_prob: float = 0.7
    illum_step_prob: float = 0.35
    blur_event_prob: float = 0.3
    style: str = "procedural"                   # "procedural" (scene.py) | "photo" (photo_scene.py)
    photos: str = "all"                         # photo style: "train" | "test" | "all" (photos.PHOTO_SPLITS)

    def __post_init__(self):
        w, h = self.size
        if w < 32 or h < 32:
            raise ValueError(f"size={self.size}: frames must be at least 32x32 pixels")
        if self.frames < 2:
            raise ValueError(f"frames={self.frames}: a sequence needs at least 2 frames")
        if not 1 <= self.num_targets <= 10:
            raise ValueError(f"num_targets={self.num_targets}: expected 1..10")
        if self.style not in STYLES:
            raise ValueError(f"style={self.style!r}: expected one of {STYLES}")
        if self.photos not in ("train", "test", "all"):
            raise ValueError(f"photos={self.photos!r}: expected 'train', 'test' or 'all'")


@dataclass
class ObjectTrack:
    """One rendered object. ``obj_id`` > 0 for annotated targets, 0 for distractors and occluders.
    Per-frame arrays have shape (F,): centre ``cx, cy``, mean radius ``radius`` (pixels), rotation ``angle`` (rad)."""

    kind: str                       # "target" | "distractor" | "occluder"
    obj_id: int
    shape: ShapeSpec
    texture: np.ndarray             # (T, T, 3) uint8, drawn for radius ``texture_radius`` about its centre
    texture_radius: float
    cx: np.ndarray
    cy: np.ndarray
    radius: np.ndarray
    angle: np.ndarray
    category: str = "object"
    warp: float = 0.0               # non-rigid texture warp amplitude (fraction of the radius); 0 = rigid texture
    shade: tuple = (0.7, 0.3)       # rim shading: texture *= shade[0] + shade[1] * clip(dist / (0.6 r), 0, 1)
    source: str = ""                # photo style: "<photo>:x0,y0,x1,y1" the texture was cut from

    def contour(self, t: int) -> np.ndarray:
        """(N, 2) float32 polygon of frame ``t``."""
        return self.shape.contour(float(self.cx[t]), float(self.cy[t]), float(self.radius[t]), float(self.angle[t]),
                                  float(t))


@dataclass
class ScenePlan:
    options: SceneOptions
    background: np.ndarray          # (Hb, Wb, 3) uint8, larger than the frame for pan and zoom
    cam_center: np.ndarray          # (F, 2) view centre in background pixels
    cam_zoom: np.ndarray            # (F,)
    gain: np.ndarray                # (F,) global illumination factor
    tint: np.ndarray                # (F, 3) per-channel colour factor
    blur_len: np.ndarray            # (F,) motion-blur kernel length in pixels (< 2: no blur)
    blur_angle: np.ndarray          # (F,) radians
    noise_seed: int
    noise: tuple[np.ndarray, np.ndarray]  # sensor noise field (H+16, W+16, 3) uint8: positive part, negative part
    objects: list[ObjectTrack]      # drawing order: distractors, targets (id order), occluders
    events: dict = field(default_factory=dict)
    jpeg_quality: int | None = None  # photo style: frames pass through JPEG at this quality (compression artefacts)
    photos_used: tuple = ()          # photo style: names of the photographs the sequence shows

    @property
    def targets(self) -> list[ObjectTrack]:
        return [o for o in self.objects if o.kind == "target"]


CATEGORIES = ("airplane", "bird", "boat", "car", "cat", "dog", "fish", "horse", "person", "turtle", "zebra", "bear",
              "giraffe", "monkey", "frog", "lizard", "snake", "bike", "umbrella", "ball")


def _smooth_path(rng: np.random.Generator, frames: int, key_step: int, low, high, max_step=None) -> np.ndarray:
    """Monotone-cubic interpolation of random keyframes: (F, D) for bounds ``low``/``high`` of shape (D,)."""
    low, high = np.atleast_1d(np.asarray(low, float)), np.atleast_1d(np.asarray(high, float))
    n_keys = frames // key_step + 2
    keys = [rng.uniform(low, high)]
    for _ in range(n_keys - 1):
        nxt = rng.uniform(low, high)
        if max_step is not None:
            step = nxt - keys[-1]
            norm = np.linalg.norm(step)
            if norm > max_step:
                nxt = keys[-1] + step * (max_step / norm)
        keys.append(nxt)
    key_t = np.arange(n_keys) * key_step
    return PchipInterpolator(key_t, np.stack(keys), axis=0)(np.arange(frames))


def _ramp(frames: int, start: int, end: int, ramp: int) -> np.ndarray:
    """Weight (F,) that is 1 on [start, end], rises/falls smoothly over ``ramp`` frames outside it, 0 elsewhere."""
    t = np.arange(frames, dtype=float)
    up = np.clip((t - (start - ramp)) / ramp, 0, 1)
    down = np.clip(((end + ramp) - t) / ramp, 0, 1)
    w = np.minimum(up, down)
    return w * w * (3 - 2 * w)


def _off_screen_point(x: float, y: float, w: int, h: int, margin: float) -> tuple[float, float]:
    """Push (x, y) through the nearest frame border to ``margin`` pixels beyond it."""
    dists = [x, w - 1 - x, y, h - 1 - y]
    side = int(np.argmin(dists))
    if side == 0:
        return -margin, y
    if side == 1:
        return w - 1 + margin, y
    if side == 2:
        return x, -margin
    return x, h - 1 + margin


def _texture_for(rng: np.random.Generator, radius: float, kind: str, palette: np.ndarray) -> tuple[np.ndarray, float]:
    size = int(np.ceil(2 * MAX_EXTENT * radius)) + 4
    period = rng.uniform(0.25, 0.7) * radius
    return make_texture(rng, size, size, kind, palette, period=max(period, 3.0)), radius


def centre_path(rng: np.random.Generator, opts: SceneOptions, r0: float,
                inside: bool) -> tuple[np.ndarray, int, tuple[list, list]]:
    """A smooth centre path ``(f, 2)`` (x, y) through random key points every ``key_step`` (8-14) frames, at most
    30 % of the short side per key step; ``inside``: the centre keeps 1.3 ``r0`` from the border. Returns
    ``(path, key_step, (low, high))`` with the x, y bounds the path was drawn in."""
    w, h = opts.size
    margin = r0 * 1.3 if inside else 0.0
    lo = [min(margin, w / 2 - 1), min(margin, h / 2 - 1)]
    hi = [max(w - 1 - margin, w / 2 + 1), max(h - 1 - margin, h / 2 + 1)]
    key_step = int(rng.integers(8, 15))
    return _smooth_path(rng, opts.frames, key_step, lo, hi, max_step=0.3 * min(w, h)), key_step, (lo, hi)


def _motion_track(rng, opts: SceneOptions, kind: str, obj_id: int, shape: ShapeSpec, r0: float, kind_tex: str,
                  palette: np.ndarray, inside: bool, category: str) -> ObjectTrack:
    """An object with smooth translation, rotation and scale change, kept with its centre inside the frame."""
    f = opts.frames
    pos, key_step, _ = centre_path(rng, opts, r0, inside)
    log_scale = _smooth_path(rng, f, key_step, [-0.25], [0.25])[:, 0]
    log_scale -= log_scale[0]
    spin = _smooth_path(rng, f, key_step, [-0.5], [0.5])[:, 0]
    angle = rng.uniform(0, 2 * np.pi) + np.cumsum(spin) / key_step
    radius = r0 * np.exp(log_scale)
    texture, tex_r = _texture_for(rng, float(radius.max()), kind_tex, palette)
    return ObjectTrack(kind=kind, obj_id=obj_id, shape=shape, texture=texture, texture_radius=tex_r,
                       cx=pos[:, 0].copy(), cy=pos[:, 1].copy(), radius=radius, angle=angle, category=category)


def plan_scene(rng: np.random.Generator, opts: SceneOptions) -> ScenePlan:
    """Draw a complete sequence plan (deterministic for the generator's state)."""
    w, h = opts.size
    f = opts.frames
    short = min(w, h)
    events: dict = {"exits": [], "late_entries": [], "occluders": [], "distractors": 0, "illum_steps": [],
                    "blur_frames": []}

    # Camera: background larger than the frame, view centre and zoom follow smooth paths (spec-free; renderer).
    bw, bh = int(w * 1.8), int(h * 1.8)
    background = cluttered_background(rng, bh, bw, clutter=int(rng.integers(4, 12)), object_scale=0.08 * short)
    cam_center, cam_zoom = camera_path(rng, opts, (bh, bw), zoom_range=(0.85, 1.2), max_step=0.25 * short)

    gain, tint, blur_len, blur_angle = plan_lighting_and_blur(rng, opts, cam_center, cam_zoom, events)

    # Targets.
    targets = []
    for k in range(1, opts.num_targets + 1):
        small = rng.random() < opts.small_target_prob
        r0 = short * (rng.uniform(0.035, 0.06) if small else rng.uniform(0.07, 0.13) / np.sqrt(opts.num_targets))
        r0 = max(r0, 4.0)
        shape = random_shape(rng)
        tex_kind = str(rng.choice(TEXTURE_KINDS[:3]))
        palette = random_palette(rng, 4, saturated=True)
        category = str(rng.choice(CATEGORIES))
        for _attempt in range(20):
            # Frame 0 shows every target: redraw the path while it starts on top of an earlier target.
            track = _motion_track(rng, opts, "target", k, shape, r0, tex_kind, palette, inside=True,
                                  category=category)
            if all(np.hypot(track.cx[0] - o.cx[0], track.cy[0] - o.cy[0]) > 1.5 * (r0 + o.radius[0])
                   for o, *_ in targets):
                break
        track.radius = np.clip(track.radius * cam_zoom / cam_zoom[0], 4.0, 0.2 * short)
        plan_absence(rng, track, k, opts, events, extent=MAX_EXTENT)
        targets.append((track, shape, tex_kind, palette))

    # Look-alike distractors: same shape family and texture palette as a target, passing near it.
    distractors = []
    for _ in range(distractor_count(rng, opts)):
        ref, shape, tex_kind, palette = targets[int(rng.integers(len(targets)))]
        d = _motion_track(rng, opts, "distractor", 0, similar_shape(rng, shape),
                          float(ref.radius[0] * rng.uniform(0.8, 1.15)), tex_kind, palette, inside=False,
                          category=ref.category)
        place_near_target(rng, d, ref, [t[0] for t in targets], beside=2.5, gap=3.0)
        distractors.append(d)
    events["distractors"] = len(distractors)

    # Occluders: objects that cross a target's path on top of it (partial or full occlusion).
    occluders = [_textured_occluder(rng, opts, [t[0] for t in targets], events)
                 for _ in range(occluder_count(rng, opts))]

    noise = sensor_noise(rng, (h, w), sigma=3.0)
    return ScenePlan(options=opts, background=background, cam_center=cam_center, cam_zoom=cam_zoom, gain=gain,
                     tint=tint, blur_len=blur_len, blur_angle=blur_angle, noise_seed=int(rng.integers(0, 2**31 - 1)),
                     noise=noise, objects=distractors + [t[0] for t in targets] + occluders, events=events)



def camera_path(rng: np.random.Generator, opts: SceneOptions, background_hw: tuple[int, int],
                zoom_range: tuple[float, float], max_step: float) -> tuple[np.ndarray, np.ndarray]:
    """View centre ``(f, 2)`` (x, y in background pixels) and zoom ``(f,)`` of the camera: with
    ``opts.camera_motion_prob`` smooth pan (at most ``max_step`` px per key step) and zoom paths inside the
    background, else a fixed view of its centre at zoom 1."""
    w, h = opts.size
    f = opts.frames
    bh, bw = background_hw
    z_min, z_max = zoom_range
    half = np.array([w / (2 * z_min), h / (2 * z_min)])
    if rng.random() < opts.camera_motion_prob:
        cam_center = _smooth_path(rng, f, int(rng.integers(10, 20)), half, [bw - half[0], bh - half[1]],
                                  max_step=max_step)
        cam_zoom = np.exp(_smooth_path(rng, f, int(rng.integers(12, 25)), [np.log(z_min)], [np.log(z_max)])[:, 0])
    else:
        cam_center = np.tile([[bw / 2, bh / 2]], (f, 1))
        cam_zoom = np.ones(f)
    return cam_center, cam_zoom


def place_near_target(rng: np.random.Generator, d: ObjectTrack, ref: ObjectTrack, targets: list[ObjectTrack],
                      beside: float, gap: float) -> None:
    """Make distractor ``d`` come close to target ``ref`` around a random frame: its path is blended (over a ramp
    of about a fifth of the sequence) towards a point ``beside`` radii next to the target, in a random direction.
    Then shift it horizontally so that in frame 0 it is at least ``gap`` times the summed radii away from every one
    of ``targets`` (the initialisation frame stays clean)."""
    f = len(d.cx)
    tc = int(rng.integers(0, f))
    direction = rng.uniform(0, 2 * np.pi)
    wgt = _ramp(f, tc - 2, tc + 2, ramp=max(3, f // 5))
    d.cx = (1 - wgt) * d.cx + wgt * (ref.cx + beside * ref.radius * np.cos(direction))
    d.cy = (1 - wgt) * d.cy + wgt * (ref.cy + beside * ref.radius * np.sin(direction))
    for tr in targets:
        dist = np.hypot(d.cx[0] - tr.cx[0], d.cy[0] - tr.cy[0])
        if dist < gap * (tr.radius[0] + d.radius[0]):
            d.cx = d.cx + np.sign(d.cx[0] - tr.cx[0] + 1e-3) * (gap * (tr.radius[0] + d.radius[0]) - dist)


@dataclass(frozen=True)
class OccluderPath:
    """A straight pass over target ``ref`` centred on frame ``tc``: centres ``cx, cy (f,)``, mean ``radius``, and
    ``t (f,)`` = frame index - ``tc``."""

    ref: ObjectTrack
    tc: int
    radius: float
    cx: np.ndarray
    cy: np.ndarray
    t: np.ndarray


def plan_absence(rng: np.random.Generator, track: ObjectTrack, k: int, opts: SceneOptions, events: dict,
                 extent: float) -> None:
    """When targets may be absent (``opts.allow_absent``, 12 frames or more): target ``k > 1`` enters late with
    probability 0.5 (when ``opts.late_entry``), else any target leaves the view once with ``opts.exit_prob``; the
    path is changed in place and the event appended to ``events`` (``extent`` as :func:`_push_out`)."""
    f = opts.frames
    if not (opts.allow_absent and f >= 12):
        return
    if opts.late_entry and k > 1 and rng.random() < 0.5:
        t_in = int(rng.integers(2, max(3, f // 2)))
        _push_out(track, 0, t_in, ramp=4, opts=opts, extent=extent)
        events["late_entries"].append((k, t_in))
    elif rng.random() < opts.exit_prob:
        t0 = int(rng.integers(max(4, f // 4), max(5, (3 * f) // 4)))
        t1 = min(f - 1, t0 + int(rng.integers(2, max(3, f // 6))))
        _push_out(track, t0, t1, ramp=4, opts=opts, extent=extent)
        events["exits"].append((k, t0, t1))


def distractor_count(rng: np.random.Generator, opts: SceneOptions) -> int:
    """How many look-alike distractors: one with ``opts.distractor_prob``, a second with a third of it."""
    return int(rng.random() < opts.distractor_prob) + int(rng.random() < opts.distractor_prob / 3)


def _textured_occluder(rng: np.random.Generator, opts: SceneOptions, targets: list[ObjectTrack],
                       events: dict) -> ObjectTrack:
    """One procedural occluder (random shape, random texture) crossing a target (:func:`occluder_path`); the
    crossing ``(target id, frame)`` is appended to ``events["occluders"]``."""
    path = occluder_path(rng, opts, targets, extent=MAX_EXTENT)
    shape = random_shape(rng, deform=0.3)
    texture, tex_r = _texture_for(rng, path.radius, str(rng.choice(TEXTURE_KINDS)), random_palette(rng, 3, True))
    events["occluders"].append((path.ref.obj_id, path.tc))
    return ObjectTrack(kind="occluder", obj_id=0, shape=shape, texture=texture, texture_radius=tex_r, cx=path.cx,
                       cy=path.cy, radius=np.full(opts.frames, path.radius), angle=rng.uniform(0, 6.3) + 0.02 * path.t)


def occluder_count(rng: np.random.Generator, opts: SceneOptions) -> int:
    """How many occluders cross the scene: Poisson with ``opts.occluder_rate`` per 50 frames, none below 14 frames."""
    n_occ = rng.poisson(opts.occluder_rate * opts.frames / 50.0)
    return int(n_occ) if opts.frames >= 14 else 0


def occluder_path(rng: np.random.Generator, opts: SceneOptions, targets: list[ObjectTrack],
                  extent: float) -> OccluderPath:
    """Draw one occluder pass over a random target: it lasts 6-14 frames and starts after frame 0 (the
    initialisation frame stays unoccluded); its radius is 0.35-0.65 of the target's (0.6-1.6 when targets may be
    fully hidden, ``opts.allow_absent``); ``extent`` is the largest contour radius relative to the mean radius."""
    f = opts.frames
    ref = targets[int(rng.integers(len(targets)))]
    duration = rng.uniform(6, 14)
    tc = int(rng.integers(int(duration / 2) + 3, f - 2))
    ratio = rng.uniform(0.35, 0.65) if not opts.allow_absent else rng.uniform(0.6, 1.6)
    r_occ = float(ref.radius[tc] * ratio)
    speed = 2 * (ref.radius[tc] + r_occ) * extent / duration
    direction = rng.uniform(0, 2 * np.pi)
    t = np.arange(f) - tc
    return OccluderPath(ref=ref, tc=tc, radius=r_occ, cx=ref.cx[tc] + np.cos(direction) * speed * t,
                        cy=ref.cy[tc] + np.sin(direction) * speed * t, t=t)


def sensor_noise(rng: np.random.Generator, size_hw: tuple[int, int], sigma: float) -> tuple[np.ndarray, np.ndarray]:
    """Gray Gaussian sensor noise of std ``sigma`` for a frame of ``size_hw`` (+16 px margin for camera jitter), as
    ``(positive part, negative part)`` uint8 (H + 16, W + 16, 3) arrays (added and subtracted by the renderer)."""
    h, w = size_hw
    noise = np.round(rng.standard_normal((h + 16, w + 16, 1)) * sigma).clip(-127, 127)
    noise = np.repeat(noise, 3, axis=2)
    return np.maximum(noise, 0).astype(np.uint8), np.maximum(-noise, 0).astype(np.uint8)


def plan_lighting_and_blur(rng: np.random.Generator, opts: SceneOptions, cam_center: np.ndarray,
                           cam_zoom: np.ndarray, events: dict, step_high: float = 0.4, gain_low: float = 0.5,
                           tint: float = 0.06, blur_high: float = 11.0):
    """Per-frame lighting and motion blur of a scene with ``f = len(cam_center)`` frames.

    Illumination: a slow gain drift in [0.85, 1.15] plus, with ``opts.illum_step_prob``, a step of +-[0.25,
    ``step_high``] over 2 frames, clipped to [``gain_low``, 1.5]; an RGB tint drift of +-``tint``. Motion blur: from the
    camera speed ``(f,)`` (``cam_center (f, 2)`` times ``cam_zoom (f,)``) plus, with ``opts.blur_event_prob``, a
    short event of length [6, ``blur_high``]. Steps and blurred frames are appended to ``events``. Returns
    ``gain (f,), tint (f, 3), blur_len (f,), blur_angle (f,)``.
    """
    f = len(cam_center)
    gain = _smooth_path(rng, f, 15, [0.85], [1.15])[:, 0]
    if rng.random() < opts.illum_step_prob and f > 8:
        t_step = int(rng.integers(4, f - 2))
        delta = rng.choice([-1, 1]) * rng.uniform(0.25, step_high)
        gain = gain + delta * np.clip((np.arange(f) - t_step + 1) / 2, 0, 1)
        events["illum_steps"].append(t_step)
    gain = np.clip(gain, gain_low, 1.5)
    tint_path = 1.0 + _smooth_path(rng, f, 20, [-tint] * 3, [tint] * 3)
    cam_speed = np.r_[0.0, np.linalg.norm(np.diff(cam_center, axis=0), axis=1)] * cam_zoom
    blur_len = np.clip(cam_speed * 0.6, 0, 9)
    blur_angle = np.arctan2(np.r_[0.0, np.diff(cam_center[:, 1])], np.r_[1.0, np.diff(cam_center[:, 0])])
    if rng.random() < opts.blur_event_prob and f > 6:
        t0 = int(rng.integers(3, f - 2))
        span = slice(t0, min(f, t0 + int(rng.integers(2, 5))))
        blur_len[span] = rng.uniform(6, blur_high)
        blur_angle[span] = rng.uniform(0, np.pi)
        events["blur_frames"].extend(range(span.start, span.stop))
    return gain, tint_path, blur_len, blur_angle

def _push_out(track: ObjectTrack, start: int, end: int, ramp: int, opts: SceneOptions,
              extent: float = MAX_EXTENT) -> None:
    """Move the target fully outside the frame on [start, end] (smooth exit before, re-entry after); ``extent`` is
    the largest contour radius relative to the mean radius."""
    w, h = opts.size
    f = opts.frames
    wgt = _ramp(f, start, end, ramp)
    mid = (start + end) // 2
    ox, oy = _off_screen_point(track.cx[mid], track.cy[mid], w, h, extent * float(track.radius.max()) + 2)
    track.cx = (1 - wgt) * track.cx + wgt * ox
    track.cy = (1 - wgt) * track.cy + wgt * oy
