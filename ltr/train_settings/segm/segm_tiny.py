"""Tiny CMEDFL (see ltr.train_settings.tiny): heads on the frozen EfficientNet-Lite0, photographic synthetic
YouTube-VOS, a 2-core CPU in tens of minutes."""
from ltr.train_settings import TrainSettings
from ltr.train_settings.tiny import COMMON, TRUNK


def settings() -> TrainSettings:
    return TrainSettings(net={"arch": "cmedfl", **TRUNK}, description=__doc__,
                         lr={"predictor": 1e-3, "feat_adjust": 8e-4}, **COMMON)
