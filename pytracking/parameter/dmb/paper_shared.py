"""``dmb paper_shared``: ``paper_params`` with one query-encoder pass per frame (§1.9) on the 384 px crop of 4 target
sides, which is also the DCF's search sample. A net with the original memory encoder (the authors') adds its
memory-encoder trunk pass on segmented frames, a ``memory_encoder="light"`` net none (§3.5)."""
from pytracking.parameter.dmb import paper_params
from pytracking.parameter.segm.paper_shared import SEARCH_AREA
from pytracking.parameter.segmentation import DMBParams, shared_pass


def parameters() -> DMBParams:
    return shared_pass(paper_params.parameters(), SEARCH_AREA)
