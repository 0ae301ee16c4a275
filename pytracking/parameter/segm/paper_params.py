"""``segm paper_params``: CMEDFL with every value of §1.7 (384 px segmentation crops) for a full-size (ResNet-50)
net; ``net_path`` names ``segm_r50.pth`` in the ``network_path`` folder (train it with
``python -m ltr.run_training segm segm_default``)."""
from pytracking.parameter.segmentation import SegmParams


def parameters() -> SegmParams:
    return SegmParams(appearance_memory="cmedfl", net_path="segm_r50.pth")
