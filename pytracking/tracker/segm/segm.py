"""``segm``: D3S / CMEDFL segmentation (§2.2-2.4, §4.1-4.3) on the shared DCF control flow of §1.8.

The memory is CMEDFL's bounded compact memory (``appearance_memory="cmedfl"``) or D3S's fixed frame-1 reference
(``appearance_memory="d3s"``). A CMEDFL net additionally gets the graph-attention channels from the frame-1 template.
"""
from __future__ import annotations

import numpy as np
import torch

from ltr.models import scores_map, topk_match
from ltr.models.matching import downsample_nearest
from pytracking.libs.memory import (AppearanceMemory, CMEDFLCompactMemory, D3SFixedReference, MemoryReadout, WriteGate,
                                    label_values)
from pytracking.tracker.base import InitRegion
from pytracking.tracker.shared.dcf_segmentation import DCFSegmentationTracker
from pytracking.tracker.shared.geometry import SegmentationCrop, gating_mask
from pytracking.tracker.shared.network import backbone_features


class SegmTracker(DCFSegmentationTracker):
    archs = ("cmedfl", "d3s")

    def __init__(self, params, device="cpu"):
        super().__init__(params, device)
        self.memory: AppearanceMemory | None = None   # set at frame 1 (§1.6)
        self.template: tuple[torch.Tensor, torch.Tensor] | None = None  # frame-1 (embedding, mask), CMEDFL's GAT

    def _init_segmentation(self, crop: SegmentationCrop, region: InitRegion, target_sz: np.ndarray) -> np.ndarray:
        """§1.6: the reference mask is the VOS mask, or the net's own prediction on the frame-1 crop (memory =
        the rough region mask) thresholded and gated by the (dilated) region; the memory starts from it."""
        p = self.params
        with torch.no_grad():
            feats, emb = self._features(crop)
            rough = torch.from_numpy(crop.mask).to(self.device)
            if self.vos:
                reference = (rough > p.vos_init_mask_thr).float()
            else:
                self.template = (emb, rough[None, None])
                prob = self._probability(feats, emb, crop.dist, self._entries(emb, rough))
                gate = torch.from_numpy(gating_mask(region, crop.mask, target_sz, crop.scale)).to(self.device)
                reference = (prob > p.init_segm_mask_thr).float() * gate
            self.template = (emb, reference[None, None])                # CMEDFL graph-attention template
            entries = self._entries(emb, reference)
            if p.appearance_memory == "d3s":
                self.memory = D3SFixedReference(entries.keys, entries.fg)
            else:
                self.memory = CMEDFLCompactMemory(entries.keys, entries.fg, capacity=p.memory_capacity,
                                                  merge_threshold=p.memory_merge_threshold,
                                                  update_rate=p.memory_update_rate,
                                                  gate=WriteGate(p.memory_write_uncertainty_thr))
        return reference.float().cpu().numpy()

    def _segment(self, crop: SegmentationCrop, uncertainty: float) -> np.ndarray:
        """Top-k matching against the memory, refinement; the memory learns the frame (gated, §4.2-4.3)."""
        with torch.no_grad():
            feats, emb = self._features(crop)
            prob = self._probability(feats, emb, crop.dist, self.memory.read())
            entries = self._entries(emb, prob)
            self.memory.write(entries.keys, entries.values, uncertainty=uncertainty, frame=self.frame_num)
        return prob.float().cpu().numpy()

    # ------------------------------------------------------------------ net calls
    def _features(self, crop: SegmentationCrop):
        """Backbone features of the crop (the pass shared with the DCF when there was one) and their embedding."""
        feats = crop.features if crop.features is not None else backbone_features(self.net, crop.pixels)
        return feats, self.net.embed(feats["layer3"])

    @staticmethod
    def _entries(emb: torch.Tensor, mask: torch.Tensor) -> MemoryReadout:
        """Memory entries of one frame: keys ``(D, h*w)`` and label values ``(2, h*w)`` from an (S, S) mask
        (nearest)."""
        small = downsample_nearest(mask[None, None].float(), tuple(emb.shape[-2:])).flatten()
        return MemoryReadout(emb[0].flatten(1), label_values(small))

    def _probability(self, feats, emb, dist, memory: MemoryReadout) -> torch.Tensor:
        """Foreground probability (S, S) of the test crop (distance map ``dist`` (1, 1, S, S)) against ``memory``
        (keys ``(D, M)``, label values ``(2, M)``)."""
        fg, p_match, _ = topk_match(emb.flatten(2), memory.keys[None], memory.fg[None], memory.bg[None],
                                    k=self.net.topk)
        scores = scores_map(fg, p_match, tuple(emb.shape[-2:]))
        logits = self.net.segment_with_template(feats, emb, scores, dist, self.template)
        return self.net.foreground_probability(logits)[0, 0]
