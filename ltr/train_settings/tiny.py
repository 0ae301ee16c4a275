"""Shared values of the ``*_tiny`` recipes: small random-init ResNet-18 trunks trained end to end (no ImageNet
weights here, and a frozen random trunk learns nothing), 96 px crops, synthetic YouTube-VOS generated into the
workspace when no YouTube-VOS root is set. Sized for a 2-core CPU: a few minutes per run."""
from ltr.data.processing import ProcessingParams
from ltr.data.samplers import SamplerParams

#: generate("youtubevos", ...) arguments of the tiny recipes' synthetic training set
SYNTHETIC = {"sequences": 48, "frames": 24, "seed": 0, "size": [320, 180]}

#: pair sampling for short synthetic videos (min_frames 10 instead of 20)
SAMPLER = SamplerParams(samples_per_epoch=1280, min_frames=10)

#: TrainSettings values shared by the tiny recipes
COMMON = dict(epochs=6, batch_size=16, num_workers=1, sampler=SAMPLER, processing=ProcessingParams(output_size=96),
              lr_step=4, lr_gamma=0.2, log_interval=4, image_interval=40, synthetic=SYNTHETIC)

#: tiny trunk: resnet18 at width 32 (about 0.7 M backbone parameters), trained
TRUNK = {"backbone": "resnet18", "backbone_width": 32, "backbone_weights": "random", "frozen_backbone": False}
