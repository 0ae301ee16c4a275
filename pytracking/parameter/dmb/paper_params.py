"""``dmb paper_params``: DMB/SAMN (§3) at full size with the original's default values (§1.7: 384 px
segmentation crops, the DCF on the net's query encoder, a memory of every 5th segmented frame) for a ResNet-50 DMB
net ``dmb_r50.pth`` in the ``network_path`` folder (``python -m ltr.run_training dmb dmb_default``, or the authors'
checkpoint converted with ``ltr.models.legacy``). The memory stays bounded (20 frames) and the deliberate
deviations keep their defaults; ``original_params`` reproduces the original code (docs/fidelity.md). The query
encoder's pass on the DCF's search sample (the 384 px crop, §1.9) serves the DCF and the segmentation; a net with the
original memory encoder (the authors') adds its memory-encoder trunk pass, a ``memory_encoder="light"`` net none
(§3.5)."""
from pytracking.parameter.segm.paper_params import SEARCH_AREA
from pytracking.parameter.segmentation import DMBParams, shared_pass


def parameters() -> DMBParams:
    return shared_pass(DMBParams(net_path="dmb_r50.pth"), SEARCH_AREA)
