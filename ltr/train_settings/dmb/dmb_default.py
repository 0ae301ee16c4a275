"""DMB recipe (§3.4 adapted): three consecutive annotated frames fed recurrently, 384 px crops at factor 4,
batch 4, 8000 batches per epoch, 80 epochs, Adam weight decay 5e-4, constant lr.

Deviation: the original fine-tunes from the STM checkpoint at lr 1e-5; STM weights are not available here, so the
heads start from scratch on frozen ImageNet trunks at lr 1e-4 (ltr.models.RECIPE_LR, docs/models.md)."""
from ltr.data.samplers import SamplerParams
from ltr.train_settings import TrainSettings


def settings() -> TrainSettings:
    return TrainSettings(
        net={"arch": "dmb", "backbone": "resnet50", "backbone_weights": "imagenet", "frozen_backbone": True},
        description=__doc__, epochs=80, batch_size=4, num_workers=4,
        sampler=SamplerParams(mode="sequence", num_frames=3, max_skip=2, samples_per_epoch=1000 * 4 * 8),
        lr={"heads": 1e-4}, weight_decay=5e-4, lr_step=0)
