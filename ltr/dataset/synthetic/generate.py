"""``generate(fmt, out, ...)``: write a synthetic dataset in the on-disk layout of a real benchmark."""
from __future__ import annotations

import os
from pathlib import Path

from ltr.dataset.synthetic.common import parse_size
from ltr.dataset.synthetic.photos import PHOTO_SPLITS
from ltr.dataset.synthetic.scene import STYLES
from ltr.dataset.synthetic.ope import write_got10k, write_lasot, write_otb, write_trackingnet
from ltr.dataset.synthetic.vos import write_davis, write_youtubevos
from ltr.dataset.synthetic.vot import write_vot

FORMATS = ("youtubevos", "davis", "vot", "vot-legacy", "vot2020", "got10k", "lasot", "trackingnet", "otb")

#: Default frame size (W, H) per format: small enough for fast tests, with the real aspect ratios.
DEFAULT_SIZES = {"youtubevos": (320, 180), "davis": (427, 240), "vot": (320, 240), "vot-legacy": (320, 240),
                 "vot2020": (320, 240), "got10k": (320, 180), "lasot": (320, 180), "trackingnet": (320, 180),
                 "otb": (320, 240)}

#: Extra keyword options each format accepts besides ``size``.
FORMAT_OPTIONS = {"youtubevos": ("objects", "valid_sequences"), "davis": ("objects",), "vot2020": ("anchor_step",)}


#: ``photos`` values: a photo split, or "auto" (training photos for training splits, held-out photos otherwise)
PHOTO_CHOICES = ("auto",) + PHOTO_SPLITS


def generate(fmt: str, out: str | os.PathLike, sequences: int = 2, frames: int = 20, seed: int = 0,
             style: str = "procedural", photos: str = "auto", **opts) -> Path:
    """Generate ``sequences`` sequences of ``frames`` frames in format ``fmt`` under ``out``; return ``out``.

    ``style``: ``"procedural"`` (procedural textures and shapes) or ``"photo"`` (backgrounds and objects from
    photographs bundled with scikit-image / matplotlib, plus per-frame attribute files). ``photos`` (photo style):
    which photos a split may show: ``"auto"`` = training photos for training splits (youtubevos train, davis train
    sequences, got10k train, lasot training sequences, trackingnet TRAIN_0) and held-out photos for every
    evaluation split; or ``"train"`` / ``"test"`` / ``"all"`` for every split.

    Options: ``size=(W, H)`` or ``"WxH"`` (all formats); ``objects`` (objects per video, default 1..3 varying;
    youtubevos, davis); ``valid_sequences`` (youtubevos valid split, default sequences // 2, at least 1);
    ``anchor_step`` (vot2020 anchor spacing, default 50). The same arguments give byte-identical files.
    ``out`` must be missing or empty (``FileExistsError`` otherwise).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown synthetic format {fmt!r}; expected one of: {', '.join(FORMATS)}")
    if int(sequences) < 1 or int(frames) < 2:
        raise ValueError(f"sequences={sequences}, frames={frames}: need at least 1 sequence of at least 2 frames")
    allowed = ("size",) + FORMAT_OPTIONS.get(fmt, ())
    unknown = sorted(set(opts) - set(allowed))
    if unknown:
        raise TypeError(f"generate({fmt!r}): unknown option(s) {unknown}; this format accepts {list(allowed)}")
    if style not in STYLES:
        raise ValueError(f"style={style!r}: expected one of {STYLES}")
    if photos not in PHOTO_CHOICES:
        raise ValueError(f"photos={photos!r}: expected one of {PHOTO_CHOICES}")
    size = parse_size(opts.pop("size", DEFAULT_SIZES[fmt]))
    out = Path(out)
    if out.is_dir() and any(out.iterdir()):
        raise FileExistsError(f"{out}: output folder is not empty; generate into a new or empty folder (stale files "
                              "from an earlier run would mix with the new dataset)")
    out.mkdir(parents=True, exist_ok=True)
    args = dict(sequences=int(sequences), frames=int(frames), seed=int(seed), size=size, style=style, photos=photos)
    if fmt == "youtubevos":
        write_youtubevos(out, **args, **opts)
    elif fmt == "davis":
        write_davis(out, **args, **opts)
    elif fmt in ("vot", "vot-legacy", "vot2020"):
        write_vot(out, fmt, **args, **opts)
    elif fmt == "got10k":
        write_got10k(out, **args)
    elif fmt == "lasot":
        write_lasot(out, **args)
    elif fmt == "trackingnet":
        write_trackingnet(out, **args)
    else:
        write_otb(out, **args)
    return out
