"""``python -m ltr.dataset.synthetic --format FMT --out DIR [--sequences N] [--frames M] [--seed S] [--size WxH]``"""
from __future__ import annotations

import argparse
import time

from ltr.dataset.synthetic.generate import FORMATS, generate


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
    args = parser.parse_args(argv)
    opts = {}
    if args.size is not None:
        opts["size"] = args.size
    if args.objects is not None:
        if args.format not in ("youtubevos", "davis"):
            parser.error("--objects applies to youtubevos and davis only")
        opts["objects"] = args.objects
    start = time.perf_counter()
    try:
        out = generate(args.format, args.out, sequences=args.sequences, frames=args.frames, seed=args.seed, **opts)
    except (ValueError, FileExistsError) as exc:
        parser.error(str(exc))
    print(f"wrote {args.format} ({args.sequences} sequences x {args.frames} frames) to {out} "
          f"in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
