"""``python -m ltr.dataset.synthetic --format FMT --out DIR [--sequences N] [--frames M] [--seed S] [--size WxH]
[--style procedural|photo] [--photos auto|train|test|all]``"""
from __future__ import annotations

import argparse
import time

from ltr.admin.cli import cli_main
from ltr.dataset.synthetic.generate import FORMATS, PHOTO_CHOICES, generate
from ltr.dataset.synthetic.scene import STYLES


@cli_main
def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ltr.dataset.synthetic",
                                     description="Write a deterministic synthetic dataset in a real benchmark layout.")
    parser.add_argument("--format", required=True, choices=FORMATS)
    parser.add_argument("--out", required=True, help="output folder (created)")
    parser.add_argument("--sequences", type=int, default=2)
    parser.add_argument("--frames", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", default=None, help="frame size WxH, e.g. 320x240 (default depends on the format)")
    parser.add_argument("--objects", type=int, default=None, help="objects per video (youtubevos, davis)")
    parser.add_argument("--style", choices=STYLES, default="procedural",
                        help="procedural textures, or photographs bundled with scikit-image/matplotlib")
    parser.add_argument("--photos", choices=PHOTO_CHOICES, default="auto",
                        help="photo style: photo split per dataset split (auto: training photos for training "
                             "splits, held-out photos for evaluation splits)")
    args = parser.parse_args(argv)
    opts = {}
    if args.photos != "auto" and args.style != "photo":
        parser.error("--photos applies to --style photo only")
    if args.size is not None:
        opts["size"] = args.size
    if args.objects is not None:
        if args.format not in ("youtubevos", "davis"):
            parser.error("--objects applies to youtubevos and davis only")
        opts["objects"] = args.objects
    start = time.perf_counter()
    try:
        out = generate(args.format, args.out, sequences=args.sequences, frames=args.frames, seed=args.seed,
                       style=args.style, photos=args.photos, **opts)
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    print(f"wrote {args.format} ({args.style}, {args.sequences} sequences x {args.frames} frames) to {out} "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
