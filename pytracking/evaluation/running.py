"""Run trackers over sequences and write pytracking-layout results (one-pass evaluation).

Per sequence: ``<results_dir>/<seq>.txt`` (one ``x,y,w,h`` line per frame, frame 0 = the tracker's initial box) and
``<seq>_time.txt`` (seconds per frame, frame 0 = initialisation), both written atomically. A sequence whose two files
exist is skipped, so an interrupted run resumes where it stopped. A VOS sequence with several objects is tracked one
object at a time (objects present in frame 0) into ``<seq>_<object_id>.txt``.
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

from ltr.admin.atomic import atomic_write_text
from ltr.admin.errors import DataFormatError
from ltr.data.image_io import read_image


@dataclass
class RunOutcome:
    """What happened to one (tracker, sequence) job: status ``done``, ``skipped`` or ``failed``."""

    tracker: str
    sequence: str
    status: str
    message: str = ""
    fps: float | None = None


def format_boxes(boxes: np.ndarray) -> str:
    """(N, 4) -> ``x,y,w,h`` lines with 4 decimals (readable by every toolkit; no NaN from our trackers)."""
    return "".join(",".join(f"{v:.4f}" for v in row) + "\n" for row in np.asarray(boxes, dtype=np.float64))


def format_times(times) -> str:
    return "".join(f"{t:.6f}\n" for t in times)


def result_files(results_dir: Path, name: str) -> tuple[Path, Path]:
    return results_dir / f"{name}.txt", results_dir / f"{name}_time.txt"


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


def run_sequence(seq, tracker, debug: bool = False, device="cpu", overwrite: bool = False,
                 params=None) -> RunOutcome:
    """Track every target of ``seq`` with ``tracker`` (a :class:`pytracking.evaluation.tracker.Tracker`).

    Finished targets (both files present) are skipped unless ``overwrite``. ``params`` overrides the tracker's
    parameter file (deep-copied per target).
    """
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
        boxes, times = [], []
        for i, frame_path in enumerate(seq.frames):
            image = read_image(frame_path)
            if i == 0:
                first_hw = image.shape[:2]
            elif image.shape[:2] != first_hw:
                raise DataFormatError(frame_path, f"frame {i} of sequence {seq.name} is {image.shape[1]}x"
                                                  f"{image.shape[0]} but its first frame ({seq.frames[0]}) is "
                                                  f"{first_hw[1]}x{first_hw[0]}; every frame of a sequence must "
                                                  f"have one size (python -m pytracking.evaluation.check_dataset "
                                                  f"checks a whole dataset)")
            start = time.perf_counter()
            out = trk.initialize(image, **init_kwargs) if i == 0 else trk.track(image)
            times.append(time.perf_counter() - start)
            box = np.asarray(out["box"], dtype=np.float64)
            if box.shape != (4,) or not np.all(np.isfinite(box)):
                raise ValueError(f"{tracker.display_name} on {seq.name} frame {i} ({frame_path}): tracker output "
                                 f"box {box.tolist()} is not 4 finite numbers")
            boxes.append(box)
            if debug:
                print(f"{tracker.display_name} {name} frame {i}: box {np.round(box, 2).tolist()} "
                      f"score {out['score']:.3f} {times[-1] * 1000:.1f} ms")
        box_file, time_file = result_files(results_dir, name)
        atomic_write_text(box_file, format_boxes(np.stack(boxes)))
        atomic_write_text(time_file, format_times(times))
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


def run_dataset(sequences, trackers, threads: int = 0, shard: tuple[int, int] | None = None, debug: bool = False,
                device="cpu", overwrite: bool = False, params=None) -> list[RunOutcome]:
    """Run every tracker on every sequence (of this shard). ``threads`` > 1 runs that many worker processes
    (spawned; one torch thread each); 0/1 runs in this process. Failed sequences are
    reported, not raised. ``params`` (one parameter object, for a single tracker) overrides its parameter file."""
    if params is not None and len(trackers) != 1:
        raise ValueError("run_dataset: params= applies to one tracker; pass a single tracker")
    jobs = [(seq, trk) for seq in shard_sequences(sequences, shard) for trk in trackers]
    outcomes: list[RunOutcome] = []
    if threads <= 1:
        for seq, trk in jobs:
            outcome = _run_job(seq, trk, debug, device, overwrite, None, params)
            _report(outcome)
            outcomes.append(outcome)
        return outcomes
    # Spawned, never forked: a child forked from a parent whose OpenCV / OpenMP thread pools hold a lock waits on it
    # forever (seen here: workers asleep on a futex after the parent generated data with cv2), and CUDA cannot be
    # used in forked children. Each worker imports torch once (about 2 s) and keeps it for all its sequences.
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=threads, mp_context=context, initializer=die_with_parent,
                                                initargs=(os.getpid(),)) as pool:
        futures = [pool.submit(_run_job, seq, trk, debug, device, overwrite, 1, params) for seq, trk in jobs]
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
