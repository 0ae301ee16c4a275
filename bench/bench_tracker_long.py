"""Cost over a long sequence: time per frame, memory entries and process memory near frame 100 and near the end.

    python bench/bench_tracker_long.py [TRACKER PARAM] [--frames 3000] [--unique 100] [--size 320x180]
                                       [--net CKPT | --tiny] [--set KEY=VALUE ...] [--window 100]
                                       [--unbounded] [--threads 1] [--device cpu] [--json OUT]

Runs ``TRACKER PARAM`` (default ``segm default_params``: the shipped ``segm_tiny.pth``) on one generated VOT
sequence of ``--unique`` frames played back and forth (0, 1, ..., n-1, n-2, ..., 0, 1, ...) until ``--frames``
frames have been tracked, so the target keeps moving continuously without writing thousands of JPEGs. Without
``--net`` the parameter file's checkpoint is used; where it is missing the same architecture as the shipped tiny net
(``segm_tiny`` / the ``dmb_tiny`` recipe) is run with random weights. ``--tiny`` runs a tiny random net (ResNet-18
width 8) with 64 px crops and DCF samples.

Reported, all from one run: mean and median milliseconds per frame over ``--window`` frames centred on frame 100 and
over the last ``--window`` frames ("sequential"), and, because the shared build machine's load changes during a long
run, the same measured in alternating blocks of 10 frames from a copy of the tracker saved at frame 100 and from the
tracker at the end ("paired": frames 101.. against frames 3001..); their ratio is the target (<= 1.1). Also the
memory's size (entries for CMEDFL, key columns and stored frames for DMB) and the bytes of its tensors, and the
process's resident memory (VmRSS) at both points and every 500 frames; the mean box IoU against the cycled ground
truth (is the tracker still on the target at the end?). With ``--unbounded`` the run is repeated with
``memory_capacity = 10**9``, which emulates the originals' unbounded memories, and the same numbers are reported.
"""
from __future__ import annotations

import argparse
import copy
import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from ltr.admin.atomic import atomic_write_text
from ltr.admin.cli_args import add_overrides
from ltr.admin.checkpoint import save_checkpoint
from ltr.data.image_io import read_image
from ltr.dataset.synthetic import generate
from ltr.models import build_net
from ltr.regions.overlap import box_iou
from ltr.train_settings.dmb.dmb_tiny import settings as dmb_tiny_settings
from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.tracker import Tracker
from pytracking.parameter.base import apply_overrides
from pytracking.tracker.shared.network import resolve_network_path

TINY_NETS = {
    "segm": {"arch": "cmedfl", "backbone": "resnet18", "backbone_width": 8, "embed_dim": 16, "gat_channels": 8,
             "backbone_weights": "random"},
    "dmb": {"arch": "dmb", "backbone": "resnet18", "backbone_width": 8, "key_dim": 16, "value_dim": 16,
            "decoder_dim": 16, "backbone_weights": "random"},
}
#: Random-weight stand-ins of the shipped tiny nets (pytracking/networks/*.json) where a checkout lacks them.
SHIPPED_ARCHS = {
    "segm": {"arch": "cmedfl", "backbone": "resnet18", "backbone_width": 32, "embed_dim": 64, "gat_channels": 32,
             "backbone_weights": "random"},
    "dmb": dmb_tiny_settings().net,
}
#: A capacity no sequence reaches: the originals' unbounded memories.
UNBOUNDED = 10 ** 9


def _resolves(net_path: str) -> bool:
    try:
        resolve_network_path(net_path)
    except FileNotFoundError:
        return False
    return True


def ping_pong(i: int, n: int) -> int:
    """Frame index of playback step ``i`` over ``n`` frames played forwards then backwards."""
    period = 2 * (n - 1)
    k = i % period
    return k if k < n else period - k


def rss_mib() -> float:
    """Resident set size of this process (VmRSS of /proc/self/status; ru_maxrss where /proc is missing), MiB."""
    status = Path("/proc/self/status")
    if status.is_file():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def memory_size(memory) -> dict:
    """Entries held by a tracker memory (key columns a read returns) and the bytes of its tensors."""
    size = {"entries": memory.num_entries if hasattr(memory, "num_entries") else len(memory),
            "bytes": memory.nbytes}
    if hasattr(memory, "persistent"):  # DMB: also the frames a read returns
        size["frames"] = len(memory)
    return size


def _time_frames(trk, frames, start: int, count: int, times: list) -> int:
    """Track ``count`` playback steps from step ``start``; append each frame's seconds to ``times``."""
    for i in range(start, start + count):
        begin = time.perf_counter()
        trk.track(frames[ping_pong(i, len(frames))])
        times.append(time.perf_counter() - begin)
    return start + count


def paired_times(early_trk, late_trk, frames, early_step: int, late_step: int, window: int,
                 block: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Time ``window`` frames of each tracker in alternating blocks of ``block`` frames, so that both see the same
    machine load (the build machine is shared): frames ``early_step ..`` of a copy saved at frame ~100 and frames
    ``late_step ..`` of the tracker that has run the whole sequence."""
    early, late = [], []
    for _ in range(max(window // block, 1)):
        early_step = _time_frames(early_trk, frames, early_step, block, early)
        late_step = _time_frames(late_trk, frames, late_step, block, late)
    return np.array(early), np.array(late)


def run_long(tracker: Tracker, params, frames: list[np.ndarray], gt: np.ndarray, init_polygon, num_frames: int,
             window: int, device) -> dict:
    """Track ``num_frames`` frames after the first; memory sizes and RSS at frame 100 and at the end, times of the
    frames around both points in the same run, and paired times (:func:`paired_times`) after the run."""
    n = len(frames)
    trk = tracker.create_tracker(params, device=device)
    trk.initialize(frames[0], polygon=init_polygon)
    early = 100
    early_range = range(early - window // 2, early - window // 2 + window)
    times = np.zeros(num_frames + 1)
    ious = np.zeros(num_frames + 1)
    snapshots = {}
    rss_by_frame = {}
    early_copy = None
    for i in range(1, num_frames + 1):
        idx = ping_pong(i, n)
        start = time.perf_counter()
        out = trk.track(frames[idx])
        times[i] = time.perf_counter() - start
        ious[i] = box_iou(out["box"], gt[idx])
        if i == early:  # for the paired timing; the network object is shared, not copied
            early_copy = copy.deepcopy(trk, memo={id(trk.net): trk.net})
        if i in (early, num_frames):  # (the copy is alive at both points)
            snapshots[i] = {**memory_size(trk.memory), "rss_mib": round(rss_mib(), 1)}
        if i >= early and (i % 500 == 0 or i in (early, 300, num_frames)):
            rss_by_frame[i] = round(rss_mib(), 1)
    late_range = range(num_frames - window + 1, num_frames + 1)
    seq_ms = {name: 1000 * times[list(r)] for name, r in (("early", early_range), ("late", late_range))}
    early_ms, late_ms = (1000 * t for t in paired_times(early_copy, trk, frames, early + 1, num_frames + 1, window))
    return {
        "sequential": {
            "early_frames": [early_range[0], early_range[-1]], "late_frames": [late_range[0], late_range[-1]],
            "ms_early_mean": round(float(seq_ms["early"].mean()), 2),
            "ms_late_mean": round(float(seq_ms["late"].mean()), 2),
            "ms_early_median": round(float(np.median(seq_ms["early"])), 2),
            "ms_late_median": round(float(np.median(seq_ms["late"])), 2),
            "late_over_early_mean": round(float(seq_ms["late"].mean() / seq_ms["early"].mean()), 3)},
        "paired": {
            "early_frames": [early + 1, early + len(early_ms)],
            "late_frames": [num_frames + 1, num_frames + len(late_ms)],
            "ms_early_mean": round(float(early_ms.mean()), 2), "ms_late_mean": round(float(late_ms.mean()), 2),
            "ms_early_median": round(float(np.median(early_ms)), 2),
            "ms_late_median": round(float(np.median(late_ms)), 2),
            "late_over_early_mean": round(float(late_ms.mean() / early_ms.mean()), 3),
            "late_over_early_median": round(float(np.median(late_ms) / np.median(early_ms)), 3)},
        "memory_capacity": getattr(trk.params, "memory_capacity", None),
        f"memory_at_{early}": snapshots[early], f"memory_at_{num_frames}": snapshots[num_frames],
        "rss_mib_by_frame": rss_by_frame,
        "mean_box_iou_early": round(float(np.nanmean(ious[list(early_range)])), 3),
        "mean_box_iou_late": round(float(np.nanmean(ious[list(late_range)])), 3),
        "total_s": round(float(times.sum()), 1),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tracker_name", nargs="?", default="segm")
    parser.add_argument("tracker_param", nargs="?", default="default_params")
    parser.add_argument("--frames", type=int, default=3000, help="frames tracked after the first")
    parser.add_argument("--unique", type=int, default=100, help="generated frames, played back and forth")
    parser.add_argument("--size", default="320x180", help="frame size WxH of the generated sequence")
    parser.add_argument("--net", default=None, help="checkpoint (default: the parameter file's net_path)")
    parser.add_argument("--tiny", action="store_true", help="tiny random net, 64 px crops and DCF samples")
    add_overrides(parser)
    parser.add_argument("--window", type=int, default=100, help="frames averaged at each measuring point")
    parser.add_argument("--unbounded", action="store_true", help="repeat with memory_capacity=10**9")
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--json", default=None, help="also write the numbers to this JSON file")
    args = parser.parse_args(argv)
    if args.frames < 100 + args.window or args.unique < 2:
        parser.error("--frames must be at least 100 + --window and --unique at least 2")
    torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    tracker = Tracker(args.tracker_name, args.tracker_param, results_path=tempfile.gettempdir())
    params = tracker.get_parameters()
    with tempfile.TemporaryDirectory() as tmp:
        shipped = _resolves(params.net_path)
        if args.net is not None:
            params.net_path = args.net
        elif args.tiny or not shipped:
            torch.manual_seed(0)
            net = build_net((TINY_NETS if args.tiny else SHIPPED_ARCHS)[args.tracker_name])
            params.net_path = str(save_checkpoint(Path(tmp) / "net.pth", net, net.config))
        if args.tiny:
            params.segm_output_sz, params.segm_min_contour_area = 64, 2.0
            params.dcf.sample_size, params.dcf.compressed_dim = 64, 8
        params = apply_overrides(params, args.set)
        seq = get_dataset("vot2018", root=generate("vot", Path(tmp) / "data", sequences=1, frames=args.unique,
                                                   size=args.size))[0]
        frames = [read_image(f) for f in seq.frames]
        runs = {"bounded": params}
        if args.unbounded:
            runs["unbounded"] = apply_overrides(params, [f"memory_capacity={UNBOUNDED}"])
        result = {"tracker": f"{args.tracker_name} {args.tracker_param}", "net": params.net_path
                  if args.net or (shipped and not args.tiny) else "random weights",
                  "frames": args.frames, "unique_frames": args.unique, "frame_size": args.size,
                  "device": str(device), "threads": torch.get_num_threads(), "python": platform.python_version(),
                  "torch": torch.__version__}
        for label, run_params in runs.items():
            result[label] = run_long(tracker, run_params, frames, seq.ground_truth_rect, seq.ground_truth_polygon[0],
                                     args.frames, args.window, device)
            print(json.dumps({label: result[label]}), flush=True)
    if args.unbounded:
        b, u = result["bounded"], result["unbounded"]
        key = f"memory_at_{args.frames}"
        # Entries only: the two runs' times come from different moments of a shared machine.
        result["unbounded_over_bounded"] = {"entries_at_end": round(u[key]["entries"] / max(b[key]["entries"], 1), 2),
                                            "bytes_at_end": round(u[key]["bytes"] / max(b[key]["bytes"], 1), 2)}
    print(json.dumps(result, indent=2))
    if args.json:
        atomic_write_text(args.json, json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
