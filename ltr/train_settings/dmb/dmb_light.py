"""Tiny DMB with the light memory encoder (``memory_encoder="light"``, ltr.models.dmb.LightMemoryEncoder): the recipe of
``dmb_tiny`` (3-frame recurrent batches, narrow heads on the frozen EfficientNet-Lite0, photographic synthetic data),
but a memorised frame is encoded from the query trunk's features and its mask, so tracking runs one trunk pass per
frame instead of two."""
from dataclasses import replace

from ltr.train_settings import TrainSettings
from ltr.train_settings.dmb.dmb_tiny import settings as tiny_settings


def settings() -> TrainSettings:
    base = tiny_settings()
    return replace(base, net={**base.net, "memory_encoder": "light"}, description=__doc__)
