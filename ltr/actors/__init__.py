"""Actors: forward + loss of one model on one batch dict, returning ``(loss, stats)`` (see each module for the
batch keys). ``actor_for(net)`` builds the actor that the net's architecture registers (``ArchSpec.actor`` in
``ltr.models.registry``)."""
from torch import nn

from ltr.actors.dmb_actor import SEQUENCE_KEYS, DMBActor
from ltr.actors.segm_actor import PAIR_KEYS, SegmActor
from ltr.models.registry import arch_spec, load_target, registered_arch


def actor_for(net: nn.Module, **kwargs):
    """The registered actor of ``net.arch`` built as ``Actor(net, **kwargs)``: ``SegmActor`` for d3s/cmedfl,
    ``DMBActor`` for dmb."""
    arch = registered_arch(net)
    if arch is None:
        raise ValueError(f"actor_for: {type(net).__name__} has no known arch (expected a net from "
                         f"ltr.models.build_net)")
    return load_target(arch_spec(arch).actor)(net, **kwargs)


__all__ = ["DMBActor", "PAIR_KEYS", "SEQUENCE_KEYS", "SegmActor", "actor_for"]
