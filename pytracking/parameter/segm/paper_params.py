"""``segm paper_params``: CMEDFL with every value of §1.7 (384 px segmentation crops of 4 target sides) for a full-size
(ResNet-50) net; ``net_path`` names ``segm_r50.pth`` in the ``network_path`` folder (train it with
``python -m ltr.run_training segm segm_default``). One backbone pass per frame (§1.9): the DCF's search sample is the
384 px segmentation crop itself (4 target sides instead of the originals' 4.5 at 256 px; ``original_params`` keeps the
two crops)."""
from pytracking.parameter.segmentation import SegmParams, shared_pass

#: search area of the shared pass, in target sides: the 384 px crop (the speed target is one 384 px pass per frame)
SEARCH_AREA = 4.0


def parameters() -> SegmParams:
    return shared_pass(SegmParams(memory="cmedfl", net_path="segm_r50.pth"), SEARCH_AREA)
