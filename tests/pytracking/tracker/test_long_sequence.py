"""Memory caps hold over a long run of the real trackers (CMEDFL's compact memory, DMB's key/value memory).

What is tested, honestly: 3,000 tracker frames take 25-100 s even with the smallest settings on the shared 2-core
build machine (measured: 400 frames in 3.5 s when idle, 500 in 16.5 s under load), so this test tracks 400 frames
of tiny in-memory frames (64x48, a textured square on a circle over a fixed background, fresh pixel noise every
frame so the memories keep receiving new content) with tiny random nets and 32 px segmentation crops, and a cap
reduced to a few frames of the 2x2 feature map. It checks that the cap is reached early, never exceeded, still in
use (evictions) at the end, and that the memory's bytes do not grow once it is full. The 3,000-frame run with the
shipped net and the default cap is ``bench/bench_tracker_long.py``.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

from ltr.admin.checkpoint import save_checkpoint
from ltr.models import build_net
from pytracking.evaluation.tracker import Tracker

NETS = {
    "segm": {"arch": "cmedfl", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random",
             "embed_dim": 16, "gat_channels": 8},
    "dmb": {"arch": "dmb", "backbone": "resnet18", "backbone_width": 8, "backbone_weights": "random",
            "key_dim": 16, "value_dim": 16, "decoder_dim": 16},
}
NUM_FRAMES = 400
#: Entries: 3 frames of the 2x2 map of a 32 px crop (DMB: its persistent frames).
CAPS = {"segm": 12, "dmb": 12}



def moving_square_frames(num_frames: int, seed: int = 0):
    """Frames ``(48, 64, 3)`` uint8: a 12x12 texture circling with period 40 frames, noise +-20 per frame."""
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 120, (48, 64, 3), dtype=np.uint8).astype(np.int16)
    texture = rng.integers(150, 256, (12, 12, 3), dtype=np.uint8)
    for i in range(num_frames):
        angle = 2 * np.pi * i / 40
        cx, cy = int(round(32 + 12 * np.cos(angle))), int(round(24 + 8 * np.sin(angle)))
        frame = background.copy()
        frame[cy - 6:cy + 6, cx - 6:cx + 6] = texture
        yield np.clip(frame + rng.integers(-20, 21, frame.shape), 0, 255).astype(np.uint8)


@pytest.mark.parametrize("name", ["segm", "dmb"])
def test_memory_cap_is_reached_and_held_over_a_long_run(name, tmp_path):
    torch.manual_seed(0)
    net = build_net(NETS[name])
    tracker = Tracker(name, "default_params", results_path=tmp_path)
    params = tracker.get_parameters()
    params.net_path = str(save_checkpoint(tmp_path / "net.pth", net, net.config))
    params.segm_output_sz, params.segm_min_contour_area = 32, 2.0
    dcf = params.dcf
    dcf.sample_size, dcf.compressed_dim, dcf.init_cg_iter, dcf.init_gn_iter = 64, 8, 4, 2
    params.feature_pass = "separate"               # 32 px segmentation crops (2 x 2 cells), a 64 px DCF sample
    dcf.augment_rotate, dcf.augment_blur = (), ()
    params.memory_capacity = CAPS[name]
    trk = tracker.create_tracker(params)
    frames = moving_square_frames(NUM_FRAMES + 1)
    trk.initialize(next(frames), box=[38, 12, 12, 12])
    reports = []
    write = trk.memory.write

    def recording_write(*args, **kwargs):
        reports.append(write(*args, **kwargs))
        return reports[-1]

    trk.memory.write = recording_write
    held, nbytes = [], []
    for frame in frames:
        out = trk.track(frame)
        held.append(len(trk.memory) if name == "segm" else sum(k.shape[1] for k, _ in trk.memory.persistent))
        nbytes.append(trk.memory.nbytes)
    assert np.all(np.isfinite(out["box"]))
    assert max(held) == CAPS[name], held[:50]
    full = held.index(CAPS[name])
    assert full < 50, full                                     # reached early...
    assert all(h == CAPS[name] for h in held[full:]), held      # ...and held to the end
    # No growth once full (DMB alternates between "latest frame is persistent" and one extra frame).
    assert max(nbytes[-100:]) <= max(nbytes[full + 1:full + 101]), (nbytes[full + 1:full + 101], nbytes[-100:])
    late = reports[-100:]
    assert len(reports) > 0.9 * NUM_FRAMES and not any(r.gated for r in late)  # still learning at the end
    assert sum(r.evicted for r in late) > 0                    # the cap is what keeps it bounded
