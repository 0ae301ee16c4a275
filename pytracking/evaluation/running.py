"""Run trackers over sequences and write pytracking-layout results (one-pass evaluation).

Per sequence: ``<results_dir>/<seq>.txt`` (one ``x,y,w,h`` line per frame, frame 0 = the tracker's initial box) and
``<seq>_time.txt`` (seconds per frame, frame 0 = initialisation), both written atomically by
:mod:`pytracking.analysis.results_io` (the one box-line format). A sequence whose two files exist is skipped, so an
interrupted run resumes where it stopped. Frames come from the one frame driver
(:func:`pytracking.evaluation.driver.propagate`).

Mask sequences: DAVIS (``davis2016`` / ``davis2017``) are segmented and written as DAVIS palette PNGs,
``<results_dir>/<dataset>/<seq>/<frame>.png`` (:func:`pytracking.analysis.vos_runner.run_vos_sequence`), the folder
``test_davis.py --dataset DAVIS2017 --tracker T --params P`` scores (it skips the sequences already written). Other
multi-object mask sequences (YouTube-VOS) are tracked one object at a time (objects present in frame 0) into
``<seq>_<object_id>.txt``.
"""
from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import sys
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from pytracking.analysis.results_io import result_files, write_result
from pytracking.evaluation.driver import propagate

#: Mask datasets whose results are DAVIS palette PNGs (scored by ``test_davis.py``), not per-object box files.
PNG_DATASETS = ("davis2016", "davis2017")


@dataclass
class RunOutcome:
    """What happened to one (tracker, sequence) job: status ``done``, ``skipped`` or ``failed``."""

    tracker: str
    sequence: str
    status: str
    message: str = ""
    fps: float | None = None


def _targets(seq) -> list[tuple[str, dict]]:
    """(result name, initialize kwargs) for each target to track in ``seq``."""
    if seq.region_type == "rect":
        return [(seq.name, {"box": np.asarray(seq.init_region(), dtype=np.float64)})]
    if seq.region_type == "polygon":
        return [(seq.name, {"polygon": np.asarray(seq.init_region(), dtype=np.float64)})]
    if seq.region_type != "mask":
        raise ValueError(f"sequence {seq.name}: unknown region_type {seq.region_type!r}")
    object_ids = list(seq.object_ids or [])
    if len(object_ids) <= 1:
        return [(seq.name, {"mask": (seq.init_region() > 0).astype(np.uint8)})]
    targets = []
    for oid in object_ids:
        mask = seq.init_region(oid)
        if mask.any():  # objects entering later (YouTube-VOS) are not tracked by this one-pass runner
            targets.append((f"{seq.name}_{oid}", {"mask": mask}))
    return targets


def png_results_dir(results_dir: str | os.PathLike, dataset: str) -> Path:
    """Where the DAVIS PNGs of a run go: ``<results_dir>/<dataset>`` (``test_davis.py``'s default folder)."""
    return Path(results_dir) / dataset


def track_boxes(trk, seq, init_kwargs: dict, tracker_name: str, target: str,
                debug: bool = False) -> tuple[np.ndarray, list[float]]:
    """Drive ``trk`` over ``seq`` from its first frame: (N, 4) boxes and seconds per frame."""
    boxes, times = [], []
    for record in propagate(trk, seq.frames, init_kwargs, name=seq.name):
        box = np.asarray(record.box, dtype=np.float64)
        if box.shape != (4,) or not np.all(np.isfinite(box)):
            raise ValueError(f"{tracker_name} on {seq.name} frame {record.index} ({record.path}): tracker output "
                             f"box {box.tolist()} is not 4 finite numbers")
        boxes.append(box)
        times.append(record.seconds)
        if debug:
            print(f"{tracker_name} {target} frame {record.index}: box {np.round(box, 2).tolist()} "
                  f"score {record.score:.3f} {record.seconds * 1000:.1f} ms")
    return np.stack(boxes), times


def _run_png_sequence(seq, tracker, base_params, device, overwrite) -> RunOutcome:
    from pytracking.analysis.vos_runner import run_vos_sequence

    info = run_vos_sequence(seq.name, list(seq.frames), seq.mask_files[0],
                            lambda: tracker.create_tracker(base_params, device=device),
                            png_results_dir(tracker.results_dir, seq.dataset), single_object=seq.merge_objects,
                            overwrite=overwrite)
    if info["skipped"]:
        return RunOutcome(tracker.display_name, seq.name, "skipped", "results exist")
    fps = info["frames"] / info["seconds"] if info["seconds"] > 0 else None
    return RunOutcome(tracker.display_name, seq.name, "done",
                      f"{info['frames']} frames, {info['objects']} object(s) -> DAVIS PNGs", fps)


def run_sequence(seq, tracker, debug: bool = False, device="cpu", overwrite: bool = False,
                 params=None) -> RunOutcome:
    """Track every target of ``seq`` with ``tracker`` (a :class:`pytracking.evaluation.tracker.Tracker`).

    Finished targets (both files present; for DAVIS: every PNG) are skipped unless ``overwrite``. ``params``
    overrides the tracker's parameter file (deep-copied per target).
    """
    if seq.region_type == "mask" and seq.dataset in PNG_DATASETS:
        base_params = tracker.get_parameters() if params is None else params
        return _run_png_sequence(seq, tracker, base_params, device, overwrite)
    results_dir = Path(tracker.results_dir)
    targets = _targets(seq)
    if not targets:
        return RunOutcome(tracker.display_name, seq.name, "skipped", "no target visible in frame 0")
    todo = [(name, kwargs) for name, kwargs in targets
            if overwrite or not all(p.is_file() for p in result_files(results_dir, name))]
    if not todo:
        return RunOutcome(tracker.display_name, seq.name, "skipped", "results exist")
    base_params = tracker.get_parameters() if params is None else params
    n_frames, total_time = 0, 0.0
    for name, init_kwargs in todo:
        trk = tracker.create_tracker(base_params, device=device)
        boxes, times = track_boxes(trk, seq, init_kwargs, tracker.display_name, name, debug)
        write_result(results_dir, name, boxes, times)
        n_frames += len(times)
        total_time += sum(times)
    fps = n_frames / total_time if total_time > 0 else None
    return RunOutcome(tracker.display_name, seq.name, "done", f"{n_frames} frames", fps)


def _run_job(seq, tracker, debug, device, overwrite, num_torch_threads, params) -> RunOutcome:
    if num_torch_threads is not None:
        torch.set_num_threads(num_torch_threads)
    try:
        return run_sequence(seq, tracker, debug=debug, device=device, overwrite=overwrite, params=params)
    except Exception as exc:  # one broken sequence must not stop the others; reported in the summary
        return RunOutcome(tracker.display_name, seq.name, "failed",
                          f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")


def shard_sequences(sequences, shard: tuple[int, int] | None):
    """The ``i``-th of ``n`` interleaved shards (0-based ``i``): ``sequences[i::n]``; ``None`` = all."""
    if shard is None:
        return list(sequences)
    index, count = shard
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"shard must be (i, n) with 0 <= i < n, got ({index}, {count})")
    return list(sequences)[index::count]


def run_dataset(sequences, trackers, workers: int = 0, shard: tuple[int, int] | None = None, debug: bool = False,
                device="cpu", overwrite: bool = False, params=None, threads: int | None = None) -> list[RunOutcome]:
    """Run every tracker on every sequence (of this shard). ``workers`` > 1 runs that many worker processes
    (spawned; ``threads`` torch threads each, default 1); 0/1 runs in this process (``threads``: left to the caller).
    Failed sequences are reported, not raised. ``params`` (one parameter object, for a single tracker) overrides its
    parameter file."""
    if params is not None and len(trackers) != 1:
        raise ValueError("run_dataset: params= applies to one tracker; pass a single tracker")
    jobs = [(seq, trk) for seq in shard_sequences(sequences, shard) for trk in trackers]
    outcomes: list[RunOutcome] = []
    if workers <= 1:
        for seq, trk in jobs:
            outcome = _run_job(seq, trk, debug, device, overwrite, None, params)
            _report(outcome)
            outcomes.append(outcome)
        return outcomes
    # Spawned, never forked: a child forked from a parent whose OpenCV / OpenMP thread pools hold a lock waits on it
    # forever (seen here: workers asleep on a futex after the parent generated data with cv2), and CUDA cannot be
    # used in forked children. Each worker imports torch once (about 2 s) and keeps it for all its sequences.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=die_with_parent,
                                                initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_run_job, seq, trk, debug, device, overwrite, threads or 1, params)
                   for seq, trk in jobs]
        for future in futures:
            outcome = future.result()
            _report(outcome)
            outcomes.append(outcome)
    return outcomes


def die_with_parent(parent_pid: int) -> None:
    """Worker initializer: the worker ends when the parent process dies, even by SIGKILL. Linux: the kernel sends
    SIGKILL on the parent's death (``prctl(PR_SET_PDEATHSIG)`` through ctypes); elsewhere a daemon thread polls the
    parent's pid every second."""
    import signal
    import threading

    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(1, signal.SIGKILL, 0, 0, 0) == 0:  # PR_SET_PDEATHSIG = 1
                if os.getppid() != parent_pid:  # the parent died before the call
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch():
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _report(outcome: RunOutcome) -> None:
    fps = f", {outcome.fps:.1f} FPS" if outcome.fps else ""
    first_line = outcome.message.splitlines()[0] if outcome.message else ""
    print(f"[{outcome.status}] {outcome.tracker} / {outcome.sequence}: {first_line}{fps}", flush=True)
