"""``dmb paper_params``: DMB/SAMN (§3) at full size with the original's default values (§1.7: 384 px
segmentation crops, the DCF on the net's query encoder, a memory of every 5th segmented frame) for a ResNet-50 DMB
net ``dmb_r50.pth`` in the ``network_path`` folder (``python -m ltr.run_training dmb dmb_default``, or the authors'
checkpoint converted with ``ltr.models.legacy``). The memory stays bounded (20 frames) and the deliberate
deviations keep their defaults; ``original_params`` reproduces the original code (docs/fidelity.md)."""
from pytracking.parameter.segmentation import DMBParams


def parameters() -> DMBParams:
    return DMBParams(net_path="dmb_r50.pth")
