"""CMEDFL recipe (§4.4): frozen ImageNet ResNet-50, 384 px crops at factor 4, pairs within +-50 frames,
Adam (predictor 1e-3, feat_adjust 8e-4), StepLR 15 x 0.2, 50 epochs of 1000 batches of 64, 2 workers."""
from ltr.data.samplers import SamplerParams
from ltr.train_settings import TrainSettings


def settings() -> TrainSettings:
    return TrainSettings(
        net={"arch": "cmedfl", "backbone": "resnet50", "backbone_weights": "imagenet", "frozen_backbone": True},
        description=__doc__, epochs=50, batch_size=64, num_workers=2,
        sampler=SamplerParams(samples_per_epoch=1000 * 64), lr={"predictor": 1e-3, "feat_adjust": 8e-4},
        lr_step=15, lr_gamma=0.2)
