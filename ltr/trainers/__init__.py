"""The generic trainer (see :mod:`ltr.trainers.trainer`)."""
from ltr.trainers.trainer import Trainer, TrainerOptions, TrainingError

__all__ = ["Trainer", "TrainerOptions", "TrainingError"]
