"""D3S recipe (§2.5): frozen ImageNet ResNet-50, 384 px crops at factor 4, pairs within +-50 frames,
Adam on the predictor (1e-3), StepLR 15 x 0.2, 40 epochs of 1000 batches of 64, 1 worker."""
from ltr.data.samplers import SamplerParams
from ltr.train_settings import TrainSettings


def settings() -> TrainSettings:
    return TrainSettings(
        net={"arch": "d3s", "backbone": "resnet50", "backbone_weights": "imagenet", "frozen_backbone": True},
        description=__doc__, epochs=40, batch_size=64, num_workers=1,
        sampler=SamplerParams(samples_per_epoch=1000 * 64), lr={"predictor": 1e-3}, lr_step=15, lr_gamma=0.2)
