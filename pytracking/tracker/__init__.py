"""Online trackers with the streaming API ``initialize(image, box=None, polygon=None, mask=None)`` / ``track(image)``.

``fixedbox`` (baseline), ``segm`` (CMEDFL; D3S with the ``d3s`` parameter file) and ``dmb`` (DMB/SAMN).
"""
