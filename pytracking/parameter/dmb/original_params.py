"""``dmb original_params``: ``paper_params`` with every option that reproduces the original DMB code
(:func:`pytracking.parameter.segmentation.reproduce_original`, docs/fidelity.md), including its unbounded memory."""
from pytracking.parameter.dmb import paper_params
from pytracking.parameter.segmentation import DMBParams, reproduce_original


def parameters() -> DMBParams:
    return reproduce_original(paper_params.parameters())
