"""run_sequence / run_dataset on generated data: result files, resume/skip, atomic writes, shards, processes."""
from __future__ import annotations

import numpy as np
import pytest

from pytracking.evaluation.datasets import get_dataset
from pytracking.evaluation.running import run_dataset, run_sequence, shard_sequences
from pytracking.evaluation.tracker import Tracker

FRAMES = 6


@pytest.fixture(scope="module")
def got_sequences(make_synthetic):
    return get_dataset("gotv", root=make_synthetic("got10k", sequences=3, frames=FRAMES, size=(64, 48)))


def _read(path):
    return np.loadtxt(path, delimiter=",", ndmin=2)


def test_fixedbox_results_and_times(got_sequences, tmp_path):
    tracker = Tracker("fixedbox", "default", results_path=tmp_path)
    outcomes = run_dataset(got_sequences, [tracker])
    assert [o.status for o in outcomes] == ["done"] * 3
    for seq in got_sequences:
        boxes = _read(tracker.results_dir / f"{seq.name}.txt")
        assert boxes.shape == (FRAMES, 4)
        np.testing.assert_allclose(boxes, np.repeat(seq.ground_truth_rect[:1], FRAMES, axis=0), atol=1e-4)
        times = np.loadtxt(tracker.results_dir / f"{seq.name}_time.txt")
        assert times.shape == (FRAMES,) and (times >= 0).all()
    assert not list(tracker.results_dir.glob(".*.tmp"))


def test_finished_sequences_are_skipped_and_missing_ones_rerun(got_sequences, tmp_path):
    tracker = Tracker("fixedbox", "default", run_id=2, results_path=tmp_path)
    run_dataset(got_sequences, [tracker])
    first = tracker.results_dir / f"{got_sequences[0].name}.txt"
    first.write_text("sentinel\n")  # a skipped sequence is not rewritten
    (tracker.results_dir / f"{got_sequences[1].name}_time.txt").unlink()  # half-finished: rerun
    outcomes = run_dataset(got_sequences, [tracker])
    assert [o.status for o in outcomes] == ["skipped", "done", "skipped"]
    assert first.read_text() == "sentinel\n"
    assert run_sequence(got_sequences[0], tracker, overwrite=True).status == "done"
    assert _read(first).shape == (FRAMES, 4)


class _Crash(RuntimeError):
    pass


def test_interrupted_sequence_leaves_no_partial_file(got_sequences, tmp_path, monkeypatch):
    tracker = Tracker("fixedbox", "default", results_path=tmp_path)
    real_create = tracker.create_tracker

    def crashing_tracker(params=None, device="cpu"):
        trk = real_create(params, device)
        calls = {"n": 0}
        real_track = trk.track

        def track(image):
            calls["n"] += 1
            if calls["n"] == 3:
                raise _Crash("killed at frame 3")
            return real_track(image)

        trk.track = track
        return trk

    monkeypatch.setattr(tracker, "create_tracker", crashing_tracker)
    outcomes = run_dataset(got_sequences[:1], [tracker])
    assert outcomes[0].status == "failed" and "killed at frame 3" in outcomes[0].message
    assert not tracker.results_dir.exists() or not any(tracker.results_dir.iterdir())
    with pytest.raises(_Crash):
        run_sequence(got_sequences[0], tracker)


def test_keyboard_interrupt_is_not_swallowed(got_sequences, tmp_path, monkeypatch):
    tracker = Tracker("fixedbox", "default", results_path=tmp_path)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tracker, "create_tracker", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run_dataset(got_sequences, [tracker])


def test_shards_partition_the_sequences():
    seqs = list(range(10))
    shards = [shard_sequences(seqs, (i, 3)) for i in range(3)]
    assert shards == [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]
    assert sorted(sum(shards, [])) == seqs
    assert shard_sequences(seqs, None) == seqs
    with pytest.raises(ValueError, match="0 <= i < n"):
        shard_sequences(seqs, (3, 3))


def test_shard_runs_only_its_sequences(got_sequences, tmp_path):
    tracker = Tracker("fixedbox", "default", results_path=tmp_path)
    outcomes = run_dataset(got_sequences, [tracker], shard=(1, 2))
    assert [o.sequence for o in outcomes] == [got_sequences[1].name]
    assert sorted(p.name for p in tracker.results_dir.iterdir()) == [
        f"{got_sequences[1].name}.txt", f"{got_sequences[1].name}_time.txt"]


def test_worker_processes_give_the_same_results(got_sequences, tmp_path):
    serial = Tracker("fixedbox", "default", results_path=tmp_path / "a")
    parallel = Tracker("fixedbox", "default", results_path=tmp_path / "b")
    run_dataset(got_sequences[:2], [serial])
    outcomes = run_dataset(got_sequences[:2], [parallel], workers=2)
    assert [o.status for o in outcomes] == ["done", "done"]
    for seq in got_sequences[:2]:
        assert ((parallel.results_dir / f"{seq.name}.txt").read_text()
                == (serial.results_dir / f"{seq.name}.txt").read_text())


def test_polygon_and_multi_object_mask_sequences(make_synthetic, tmp_path):
    tracker = Tracker("fixedbox", "default", results_path=tmp_path)
    vot = get_dataset("vot2018", root=make_synthetic("vot", sequences=1, frames=4, size=(64, 48)))
    run_dataset(vot, [tracker])
    from ltr.regions.convert import polygon_to_box
    np.testing.assert_allclose(_read(tracker.results_dir / f"{vot[0].name}.txt")[-1],
                               polygon_to_box(vot[0].ground_truth_polygon[0]), atol=1e-4)
    ytvos = get_dataset("ytvos2018", root=make_synthetic("youtubevos", sequences=1, frames=4, size=(64, 48),
                                                         valid_sequences=1, objects=2))
    seq = ytvos[0]
    run_dataset([seq], [tracker])
    from ltr.regions.convert import mask_to_box
    tracked = [oid for oid in seq.object_ids if seq.init_region(oid).any()]
    assert tracked
    for oid in tracked:
        boxes = _read(tracker.results_dir / f"{seq.name}_{oid}.txt")
        np.testing.assert_allclose(boxes[-1], mask_to_box(seq.init_region(oid)), atol=1e-4)


def test_davis_sequences_are_written_as_palette_pngs_and_resume(make_synthetic, tmp_path):
    """run_tracker --dataset davis2017 writes <results>/<tracker>/<param>/davis2017/<seq>/<frame>.png (what
    test_davis.py scores), the first frame being the ground truth; finished sequences are skipped."""
    from ltr.data.image_io import read_palette_png
    from pathlib import Path

    tracker = Tracker("fixedbox", "default", results_path=tmp_path)
    davis = get_dataset("davis2017", root=make_synthetic("davis", sequences=2, frames=4, size=(64, 48), objects=2))
    outcomes = run_dataset(davis, [tracker])
    assert [o.status for o in outcomes] == ["done"] * len(davis)
    for seq in davis:
        out = tracker.results_dir / "davis2017" / seq.name
        assert sorted(p.name for p in out.iterdir()) == [Path(f).stem + ".png" for f in seq.frames]
        first = read_palette_png(out / (Path(seq.frames[0]).stem + ".png"))
        gt = read_palette_png(seq.mask_files[0]).copy()
        gt[gt == 255] = 0
        assert np.array_equal(first, gt)
        assert not list(tracker.results_dir.glob(f"{seq.name}*.txt"))  # no per-object box files any more
    assert [o.status for o in run_dataset(davis, [tracker])] == ["skipped"] * len(davis)
