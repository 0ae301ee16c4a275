"""Actors: forward + loss of one model on one batch dict, returning ``(loss, stats)`` (see each module for the
batch keys). ``actor_for(net)`` picks the actor for a net built by ``ltr.models.build_net``."""
from torch import nn

from ltr.actors.dmb_actor import SEQUENCE_KEYS, DMBActor
from ltr.actors.segm_actor import PAIR_KEYS, SegmActor


def actor_for(net: nn.Module, **kwargs):
    """``SegmActor`` for d3s/cmedfl nets, ``DMBActor`` for dmb nets."""
    arch = getattr(net, "arch", None)
    if arch in ("d3s", "cmedfl"):
        return SegmActor(net, **kwargs)
    if arch == "dmb":
        return DMBActor(net, **kwargs)
    raise ValueError(f"actor_for: {type(net).__name__} has no known arch (expected a net from ltr.models.build_net)")


__all__ = ["DMBActor", "PAIR_KEYS", "SEQUENCE_KEYS", "SegmActor", "actor_for"]
