"""Tiny CMEDFL (see ltr.train_settings.tiny): trains on synthetic YouTube-VOS on a 2-core CPU in minutes; the
backbone is trained at the predictor's lr because it starts from random weights."""
from ltr.train_settings import TrainSettings
from ltr.train_settings.tiny import COMMON, TRUNK


def settings() -> TrainSettings:
    return TrainSettings(net={"arch": "cmedfl", **TRUNK}, description=__doc__,
                         lr={"predictor": 1e-3, "feat_adjust": 8e-4, "backbone": 1e-3}, **COMMON)
