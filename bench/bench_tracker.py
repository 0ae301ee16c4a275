"""Per-frame time breakdown of a tracker: backbone, DCF, segmentation head, memory, crops, post-processing.

    python bench/bench_tracker.py [TRACKER PARAM] [--device cpu|cuda] [--frames 40] [--size 640x480]
                                  [--net CKPT | --tiny] [--set KEY=VALUE ...] [--threads N] [--json OUT]

Runs ``TRACKER PARAM`` (default ``segm default_params``) on one generated VOT sequence. Without ``--net`` a net of the
tracker's architecture is built with random weights at full size (ResNet-50; speed does not depend on the weights)
and run with the parameter file's crops: ``segm paper_params`` is the full-size configuration (384 px segmentation
crops), ``default_params`` uses the tiny nets' 128 px crops; ``--tiny`` uses the tiny test configuration instead.
Times are exclusive (a DCF step's backbone pass is counted as backbone; DMB's memory-encoder trunk too), measured
in one run: milliseconds per tracked frame for each part, their share of the frame, frames per second, the backbone
passes per frame and ``tracker_over_backbone`` = frame time / backbone time (target <= 1.3), and the memory size
(entries) at the end next to what the unbounded original would hold.
"""
from __future__ import annotations

import argparse
import functools
import json
import platform
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import torch

from ltr.admin.atomic import atomic_write_text
from ltr.admin.cli_args import add_overrides
from ltr.admin.checkpoint import save_checkpoint
from ltr.data.image_io import read_image
from ltr.dataset.synthetic import generate
from ltr.models import build_net
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.tracker import Tracker
from pytracking.parameter.base import apply_overrides
from pytracking.tracker.shared.network import backbone_features

FULL_NETS = {"cmedfl": {"arch": "cmedfl"}, "d3s": {"arch": "d3s"}, "dmb": {"arch": "dmb"}}
TINY_NETS = {
    "cmedfl": {"arch": "cmedfl", "backbone": "resnet18", "backbone_width": 8, "embed_dim": 16, "gat_channels": 8},
    "d3s": {"arch": "d3s", "backbone": "resnet18", "backbone_width": 8, "embed_dim": 16},
    "dmb": {"arch": "dmb", "backbone": "resnet18", "backbone_width": 8, "key_dim": 16, "value_dim": 16,
            "decoder_dim": 16},
}


class ExclusiveTimer:
    """Wraps callables; each call's time goes to its part minus the time of wrapped calls nested inside it."""

    def __init__(self, device: torch.device):
        self.device = device
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._stack: list[list] = []

    def _sync(self):
        if self.device.type == "cuda":
            torch.cuda.synchronize(self.device)

    def wrap(self, part: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            # a backbone call counts its batch: passes are image samples (the frame-1 augmentations are one batch)
            self.calls[part] += len(args[0]) if part == "backbone" and args and hasattr(args[0], "shape") else 1
            self._sync()
            entry = [part, time.perf_counter(), 0.0]  # part, start, nested time
            self._stack.append(entry)
            try:
                return fn(*args, **kwargs)
            finally:
                self._sync()
                self._stack.pop()
                elapsed = time.perf_counter() - entry[1]
                self.totals[part] += elapsed - entry[2]
                if self._stack:
                    self._stack[-1][2] += elapsed

        return timed

    def patch(self, owner, name: str, part: str):
        setattr(owner, name, self.wrap(part, getattr(owner, name)))


def profile_initialize(trk, frame, polygon, device: torch.device) -> tuple[float, dict[str, float], int]:
    """Run ``trk.initialize`` with its parts timed (exclusive): backbone passes, segmentation head, the DCF's frame-1
    augmentations, its Gauss-Newton/CG optimisation, the rest of the DCF. Returns ``(seconds, {part: seconds},
    backbone passes)``; the timing wrappers are removed afterwards."""
    import pytracking.libs.dcf.localizer as localizer

    timer = ExclusiveTimer(device)
    trk._load_net()
    net = trk.net
    restore = []
    for owner, name, part in [(net, "extract_backbone", "backbone"), *[(net, n, "head") for n in
                              ("segment", "segment_features", "embed", "graph_attention", "memorize") if hasattr(net, n)],
                              (localizer, "apply_augmentations", "dcf_augmentations"),
                              (localizer, "gauss_newton", "dcf_optimisation"),
                              (localizer.DCFLocalizer, "initialize", "dcf_other")]:
        restore.append((owner, name, owner.__dict__.get(name)))
        timer.patch(owner, name, part)
    try:
        start = time.perf_counter()
        trk.initialize(frame, polygon=polygon)
        timer._sync()
        total = time.perf_counter() - start
    finally:
        for owner, name, original in reversed(restore):
            if original is None:
                delattr(owner, name)          # an instance attribute shadowing the class's method
            else:
                setattr(owner, name, original)
    parts = dict(timer.totals)
    parts["other"] = max(total - sum(parts.values()), 0.0)
    return total, parts, timer.calls["backbone"]


def instrument(trk, timer: ExclusiveTimer) -> None:
    """Time the parts of a segmentation tracker (instance attributes and the module functions it calls)."""
    import pytracking.tracker.segm.segm as segm_module
    import pytracking.tracker.shared.dcf_segmentation as flow

    net = trk.net
    timer.patch(net, "extract_backbone", "backbone")
    for name in ("segment", "segment_features", "embed", "graph_attention"):
        if hasattr(net, name):
            timer.patch(net, name, "head")
    if hasattr(net, "memorize"):  # DMB: the memory encoder's trunk is a backbone pass, its heads are memory
        timer.patch(net, "memorize", "memory")
        if hasattr(net.encoder_m, "trunk"):  # the "light" memory encoder runs no trunk
            timer.patch(net.encoder_m.trunk, "forward", "backbone")
    for name in ("localize", "localize_features", "update"):
        timer.patch(trk.dcf, name, "dcf")
    timer.patch(trk, "_search_crop", "crops")        # feature_pass="shared": the one crop of the frame
    timer.patch(trk.memory, "write", "memory")
    timer.patch(trk.memory, "read", "memory")
    segm_module.topk_match = timer.wrap("memory", segm_module.topk_match)
    flow.crop_around = timer.wrap("crops", flow.crop_around)
    flow.mask_to_region = timer.wrap("postprocess", flow.mask_to_region)
    flow.paste_probability = timer.wrap("postprocess", flow.paste_probability)


def reference_pass_s(net, size: int, device: torch.device, repeats: int = 9) -> float:
    """Median time (s) of one ``net.extract_backbone`` pass on a ``(1, 3, size, size)`` crop, the unit the speed
    targets are stated in (measured in the same process as the tracker)."""
    pixels = torch.rand(1, 3, size, size, device=device) * 255
    times = []
    for i in range(repeats + 1):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        tic = time.perf_counter()
        backbone_features(net, pixels)
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        if i:                                               # the first pass warms up
            times.append(time.perf_counter() - tic)
    return statistics.median(times)


def parse_net_option(text: str) -> tuple[str, object]:
    """``KEY=VALUE`` -> ``(key, value)``, the value a JSON literal (``64``, ``true``) or else a plain string."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise SystemExit(f"--net-option {text!r} must read KEY=VALUE (a network config key, e.g. memory_encoder=light)")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracker_name", nargs="?", default="segm")
    parser.add_argument("tracker_param", nargs="?", default="default_params")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--size", default="640x480", help="frame size WxH of the generated sequence")
    parser.add_argument("--net", default=None, help="checkpoint to run (default: random weights, see --tiny)")
    parser.add_argument("--tiny", action="store_true", help="tiny test network and small crops")
    add_overrides(parser)
    parser.add_argument("--json", default=None, help="also write the numbers to this JSON file")
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random weights (without --net)")
    parser.add_argument("--net-option", action="append", default=[], metavar="KEY=VALUE",
                        help="network config key of the random net (without --net), e.g. memory_encoder=light")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    device = torch.device(args.device)
    tracker = Tracker(args.tracker_name, args.tracker_param, results_path=tempfile.gettempdir())
    params = tracker.get_parameters()
    with tempfile.TemporaryDirectory() as tmp:
        if args.net is None:
            arch = "dmb" if args.tracker_name == "dmb" else "cmedfl"
            config = {**(TINY_NETS if args.tiny else FULL_NETS)[arch], "backbone_weights": "random",
                      **dict(parse_net_option(o) for o in args.net_option)}
            torch.manual_seed(args.seed)  # seeded random weights: the data-dependent branches repeat between runs
            net = build_net(config)
            params.net_path = str(save_checkpoint(Path(tmp) / "net.pth", net, net.config))
        else:
            params.net_path = args.net
        if args.tiny:
            params.segm_output_sz, params.segm_min_contour_area = 64, 2.0
            params.dcf.sample_size, params.dcf.compressed_dim = 64, 8
        params = apply_overrides(params, args.set)
        root = generate("vot", Path(tmp) / "data", sequences=1, frames=args.frames, size=args.size)
        seq = get_dataset("vot2018", root=root)[0]
        frames = [read_image(f) for f in seq.frames]
        trk = tracker.create_tracker(params, device=device)
        init_s, init_parts, init_passes = profile_initialize(trk, frames[0], seq.ground_truth_polygon[0], device)
        pass_s = reference_pass_s(trk.net, params.segm_output_sz, device)
        timer = ExclusiveTimer(device)
        instrument(trk, timer)
        unbounded = len(trk.memory)
        write = trk.memory.write

        def counting_write(*a, **k):
            nonlocal unbounded
            report = write(*a, **k)
            unbounded += report.appended
            return report

        trk.memory.write = counting_write
        frame_s = []
        start = time.perf_counter()
        for frame in frames[1:]:
            tic = time.perf_counter()
            trk.track(frame)
            timer._sync()
            frame_s.append(time.perf_counter() - tic)
        total = time.perf_counter() - start
    n = len(frames) - 1
    parts = dict(timer.totals)
    parts["other"] = max(total - sum(parts.values()), 0.0)
    result = {
        "tracker": f"{args.tracker_name} {args.tracker_param}", "device": str(device), "frames": n,
        "frame_size": args.size, "net": args.net or " ".join(["tiny random" if args.tiny else "full-size random", *args.net_option]),
        "init_s": round(init_s, 4), "fps": round(n / total, 2), "ms_per_frame": round(1000 * total / n, 2),
        "parts_ms_per_frame": {k: round(1000 * v / n, 2) for k, v in sorted(parts.items())},
        "parts_share": {k: round(v / total, 3) for k, v in sorted(parts.items())},
        "backbone_passes_per_frame": round(timer.calls["backbone"] / n, 2),
        "feature_pass": params.feature_pass,
        "frame_ms_median": round(1000 * statistics.median(frame_s), 2),
        "frame_ms_p90": round(1000 * float(np.percentile(frame_s, 90)), 2),
        "p90_over_median": round(float(np.percentile(frame_s, 90)) / statistics.median(frame_s), 3),
        "reference_pass": f"one backbone pass on a {params.segm_output_sz} px crop",
        "reference_pass_ms": round(1000 * pass_s, 2),
        "median_over_pass": round(statistics.median(frame_s) / pass_s, 3),
        "init_in_passes": round(init_s / pass_s, 2),
        "init_parts_ms": {k: round(1000 * v, 1) for k, v in sorted(init_parts.items())},
        "init_backbone_passes": init_passes,
        "tracker_over_backbone": round(total / parts["backbone"], 3) if parts.get("backbone") else None,
        "memory_entries_end": len(trk.memory), "memory_entries_if_unbounded": unbounded,
        "python": platform.python_version(), "torch": torch.__version__, "threads": torch.get_num_threads(),
        "seed": args.seed,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        atomic_write_text(args.json, json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
