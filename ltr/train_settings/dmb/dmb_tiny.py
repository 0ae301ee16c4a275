"""Tiny DMB (see ltr.train_settings.tiny): 3-frame recurrent batches, narrow key/value/decoder heads on the frozen
EfficientNet-Lite0, photographic synthetic data; 8 epochs (a 3-frame sample costs about 3 pair samples)."""
from dataclasses import replace

from ltr.train_settings import TrainSettings
from ltr.train_settings.tiny import COMMON, SAMPLER, TRUNK


def settings() -> TrainSettings:
    sampler = replace(SAMPLER, mode="sequence", num_frames=3, max_skip=2, samples_per_epoch=1024)
    return TrainSettings(net={"arch": "dmb", **TRUNK, "key_dim": 32, "value_dim": 64,
                              "decoder_dim": 32},
                         description=__doc__, weight_decay=5e-4, lr={"heads": 1e-3},
                         **{**COMMON, "batch_size": 8, "sampler": sampler, "epochs": 8, "lr_step": 5})
