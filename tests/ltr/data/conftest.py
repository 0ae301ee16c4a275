"""Fixtures for the data tests: an in-memory video dataset following the ltr.dataset contract."""
import numpy as np
import pytest


class FakeVideoDataset:
    def __init__(self, num_sequences=3, num_frames=24, size=(48, 64), invisible=(), seed=0):
        self.size, self.num_frames = size, num_frames
        rng = np.random.default_rng(seed)
        self.invisible = set(invisible)  # (sequence, frame) pairs where the target is absent
        self.starts = rng.uniform([4, 4], [30, 20], size=(num_sequences, 2))
        self.textures = rng.integers(0, 90, size=(num_sequences,) + size + (3,), dtype=np.uint8)
        self.frame_reads = 0

    def get_num_sequences(self):
        return len(self.starts)

    def box(self, seq, frame):
        x, y = self.starts[seq] + [frame * 0.5, frame * 0.25]
        return np.array([np.floor(x), np.floor(y), 12.0, 10.0])

    def get_sequence_info(self, seq):
        visible = np.array([(seq, f) not in self.invisible for f in range(self.num_frames)])
        boxes = np.stack([self.box(seq, f) if visible[f] else np.full(4, np.nan) for f in range(self.num_frames)])
        return {"visible": visible, "bbox": boxes}

    def get_frames(self, seq, frame_ids):
        frames, masks, boxes = [], [], []
        for f in frame_ids:
            self.frame_reads += 1
            image = self.textures[seq].copy()
            mask = np.zeros(self.size, np.uint8)
            box = np.full(4, np.nan)
            if (seq, f) not in self.invisible:
                box = self.box(seq, f)
                x, y, w, h = box.astype(int)
                mask[y:y + h, x:x + w] = 1
                image[mask > 0] = (220, 200, 40)
            frames.append(image)
            masks.append(mask)
            boxes.append(box)
        return frames, masks, np.stack(boxes)


@pytest.fixture
def fake_video():
    """The :class:`FakeVideoDataset` class (a moving bright rectangle on a textured ground)."""
    return FakeVideoDataset
