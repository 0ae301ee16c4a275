"""TraX server: lets the VOT toolkit (``vot-toolkit``, protocol ``traxpython``) run any registered tracker.

``python -m pytracking.vot.trax_server [TRACKER PARAM] [--region polygon|rectangle|mask] [--device DEV]
[--set KEY=VALUE ...]`` (``--set`` overrides parameters as in ``run_tracker``, e.g. ``dcf.cg_iter=2``); the
VOT toolkit starts the module without arguments, so the same settings are also read from the environment
(``env_PYTRACKING_TRAX_TRACKER = segm`` ... in ``trackers.ini``, see ``pytracking/vot/trackers.ini``):
``PYTRACKING_TRAX_TRACKER``, ``PYTRACKING_TRAX_PARAM``, ``PYTRACKING_TRAX_REGION``, ``PYTRACKING_TRAX_DEVICE``,
``PYTRACKING_TRAX_THREADS`` (torch threads, default 1: several trackers share a machine's cores).

Each TraX ``initialize`` (including the toolkit's re-initialisations after a failure) builds a fresh tracker with a
fresh copy of the parameters; the network is loaded once per process. The reported region has the requested
format (VOT2016-2019: polygon; VOT2020+: mask) and a ``confidence`` property = the tracker's ``score``. Nothing is
printed on stdout, which carries the protocol.
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

from ltr.admin.cli import cli_main
from ltr.admin.cli_args import add_overrides, add_threads
from ltr.data.image_io import read_image

REGION_FORMATS = ("polygon", "rectangle", "mask")


def region_from_trax(region, image_hw: tuple[int, int]) -> dict:
    """A TraX region -> ``initialize`` keyword arguments (``box``, ``polygon`` or full-image ``mask``)."""
    import trax

    if region.type == trax.Region.RECTANGLE:
        return {"box": np.array(region.bounds(), dtype=np.float64)}
    if region.type == trax.Region.POLYGON:
        return {"polygon": np.array([c for point in region for c in point], dtype=np.float64)}
    if region.type == trax.Region.MASK:
        mask = region.array(normalize=True)
        full = np.zeros(image_hw, np.uint8)
        h, w = min(mask.shape[0], image_hw[0]), min(mask.shape[1], image_hw[1])
        full[:h, :w] = mask[:h, :w] > 0
        return {"mask": full}
    raise ValueError(f"unsupported TraX region type {region.type!r}")


def region_to_trax(output: dict, region_format: str):
    """A tracker output record -> a TraX region of ``region_format``."""
    import trax

    if region_format == "polygon":
        points = np.asarray(output["polygon"], dtype=np.float64).reshape(-1, 2)
        return trax.Polygon.create([(float(x), float(y)) for x, y in points])
    if region_format == "rectangle":
        return trax.Rectangle.create(*(float(v) for v in output["box"]))
    return trax.Mask.create(np.ascontiguousarray(output["mask"], dtype=np.uint8))


def serve(tracker_name: str, parameter_name: str, region_format: str = "polygon", device: str = "cpu",
          overrides: list[str] | None = None) -> None:
    """Answer TraX requests until the client quits; ``overrides`` are ``KEY=VALUE`` parameter overrides."""
    import trax

    if region_format not in REGION_FORMATS:
        raise ValueError(f"region format '{region_format}' unknown; use one of {', '.join(REGION_FORMATS)}")
    tracker, params = prepare(tracker_name, parameter_name, overrides)
    active = None
    with trax.Server([region_format], [trax.Image.PATH], tracker_name=f"{tracker_name}_{parameter_name}",
                     tracker_family="pytracking") as server:
        while True:
            request = server.wait()
            if request.type in (trax.TraxStatus.QUIT, trax.TraxStatus.ERROR):
                break
            image = read_image(request.image[trax.ImageChannel.COLOR].path())
            if request.type == trax.TraxStatus.INITIALIZE:
                active = tracker.create_tracker(params, device=device)
                output = active.initialize(image, **region_from_trax(request.objects[0][0], image.shape[:2]))
            else:
                output = active.track(image)
            server.status([(region_to_trax(output, region_format), {"confidence": f"{output['score']:.4f}"})])


def prepare(tracker_name: str, parameter_name: str, overrides: list[str] | None = None):
    """``(Tracker, parameters with overrides)``; unknown names and bad overrides fail here, before TraX starts."""
    from pytracking.evaluation.tracker import Tracker
    from pytracking.parameter.base import apply_overrides

    tracker = Tracker(tracker_name, parameter_name, results_path=os.devnull)
    return tracker, apply_overrides(tracker.get_parameters(), overrides or [])


@cli_main
def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(prog="python -m pytracking.vot.trax_server", description=__doc__.splitlines()[0])
    parser.add_argument("tracker_name", nargs="?", default=env("PYTRACKING_TRAX_TRACKER", "segm"))
    parser.add_argument("tracker_param", nargs="?", metavar="PARAMS", default=env("PYTRACKING_TRAX_PARAM", "default_params"))
    parser.add_argument("--region", choices=REGION_FORMATS, default=env("PYTRACKING_TRAX_REGION", "polygon"))
    parser.add_argument("--device", default=env("PYTRACKING_TRAX_DEVICE", "cpu"))
    threads = env("PYTRACKING_TRAX_THREADS", "1")
    if not threads.strip().isdigit():
        parser.error(f"PYTRACKING_TRAX_THREADS = {threads!r}: must be a positive integer")
    add_threads(parser, int(threads), "torch CPU threads (default 1)")
    add_overrides(parser, "a parameter (unknown keys are errors)")
    args = parser.parse_args(argv)
    try:  # (the names come from trackers.ini / the command line: a wrong one is a user error, not a bug)
        prepare(args.tracker_name, args.tracker_param, args.set)
    except (KeyError, ValueError) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"error: {text.splitlines()[0] if text else type(exc).__name__}", file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(max(1, args.threads))
    serve(args.tracker_name, args.tracker_param, args.region, args.device, args.set)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
