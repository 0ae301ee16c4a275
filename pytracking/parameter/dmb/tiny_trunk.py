"""``dmb tiny_trunk``: ``default_params`` with the shipped ``dmb_tiny.pth`` (``python -m ltr.run_training dmb dmb_tiny``),
whose memory encoder is a second trunk on image + mask as in the original DMB (§3.1): three trunk passes per segmented
frame (DCF sample, segmentation crop, memory encoder)."""
from pytracking.parameter.dmb import default_params
from pytracking.parameter.segmentation import DMBParams


def parameters() -> DMBParams:
    params = default_params.parameters()
    params.net_path = "dmb_tiny.pth"
    return params
