"""``dmb``: DMB's appearance memory bank (§3.1-3.3) on the shared DCF control flow of §1.8.

Frame 1 is memorised with the region mask, segmented, and the soft result gated by the (dilated) region becomes the
"previous frame" (§3.2 init). On each segmented frame the previous frame is memorised and written to the
bounded key/value memory, the current crop is segmented against it, and becomes the new previous frame. A frame
whose DCF uncertainty fails the memory gate is segmented but never memorised (the SMB filters the AMB).
"""
from __future__ import annotations

import numpy as np
import torch

from pytracking.libs.memory import DMBKeyValueMemory, WriteGate
from pytracking.tracker.base import InitRegion
from pytracking.tracker.shared.dcf_segmentation import DCFSegmentationTracker
from pytracking.tracker.shared.geometry import SegmentationCrop, gating_mask
from pytracking.tracker.shared.network import backbone_features, net_input


class DMBTracker(DCFSegmentationTracker):
    archs = ("dmb",)

    def __init__(self, params, device="cpu"):
        super().__init__(params, device)
        self.memory: DMBKeyValueMemory | None = None  # set at frame 1
        # the previous segmented frame, memorised on the next segmented frame (§3.2): crop input, its query
        # features (None = not computed), soft mask (1, 1, S, S), DCF uncertainty (None = frame 1), frame number
        self.previous: tuple | None = None

    def _init_segmentation(self, crop: SegmentationCrop, region: InitRegion, target_sz: np.ndarray) -> np.ndarray:
        p = self.params
        self.memory = DMBKeyValueMemory(every=p.memory_every, capacity=p.memory_capacity,
                                        keep_first=p.memory_keep_first,
                                        gate=WriteGate(p.memory_write_uncertainty_thr))
        with torch.no_grad():
            image = net_input(crop.pixels, self.net.input_normalization)
            rough = torch.from_numpy(crop.mask).to(self.device)[None, None]
            if self.vos:
                reference = (rough > p.vos_init_mask_thr).float()
            else:  # memorise with the region mask, segment the same crop, keep the soft mask (no threshold)
                self._crop_features(crop)
                key, value = self.net.memorize(image, rough, crop.features)
                prob = self._probability(crop, key.flatten(2), value.flatten(2))
                gate = torch.from_numpy(gating_mask(region, crop.mask, target_sz, crop.scale)).to(self.device)
                reference = prob * gate[None, None]
        self.previous = (image, crop.features, reference, None, self.frame_num)
        return reference[0, 0].float().cpu().numpy()

    def _segment(self, crop: SegmentationCrop, uncertainty: float) -> np.ndarray:
        with torch.no_grad():
            if self.previous is not None:  # memorise the previous segmented frame (§3.2 step 1)
                prev_image, prev_feats, prev_mask, prev_uncertainty, prev_frame = self.previous
                key, value = self.net.memorize(prev_image, prev_mask, prev_feats)
                self.memory.write(key[0].flatten(1), value[0].flatten(1), uncertainty=prev_uncertainty,
                                  frame=prev_frame)
                self.previous = None
            memory = self.memory.read()
            prob = self._probability(crop, memory.keys[None], memory.values[None])
            if self.memory.gate.accepts(uncertainty):
                self.previous = (net_input(crop.pixels, self.net.input_normalization), crop.features, prob, uncertainty,
                                 self.frame_num)
        return prob[0, 0].float().cpu().numpy()

    def _probability(self, crop: SegmentationCrop, keys: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
        """Sharpened foreground probability ``(1, 1, S, S)`` of ``crop`` (its query-encoder features: the pass shared
        with the DCF when there was one) against memory ``(1, K, M)``/``(1, V, M)``."""
        feats = self._crop_features(crop)
        return self.net.foreground_probability(self.net.segment_features(feats, keys, values, crop.dist))

    def _crop_features(self, crop: SegmentationCrop) -> dict:
        """The query-encoder features of ``crop``, computed once (kept on the crop for the memory write)."""
        if crop.features is None:
            crop.features = backbone_features(self.net, crop.pixels)
        return crop.features
