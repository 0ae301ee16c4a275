"""Registry of evaluation datasets by name (pytracking style), resolved lazily:
``get_dataset("vot2018")`` imports the adapter and reads the set only when called.

Roots come from :mod:`ltr.admin.settings` (``vot2018_path`` ...) unless ``root`` is given. Names:

=============  ==============================================================  ====================
name           set                                                             settings key
=============  ==============================================================  ====================
vot2016..2019  VOT short-term, polygons                                        vot2016_path ...
vot2020        VOT2020 short-term, RLE masks                                   vot2020_path
vot            = vot2018                                                       vot2018_path
otb            OTB-100                                                         otb_path
lasot          LaSOT test (``testing_set.txt``)                                lasot_path
tn             TrackingNet TEST (first box only)                               trackingnet_path
gotv / gott    GOT-10k val / test (first box only)                             got10k_path
gotlv          GOT-10k "ltrval": train sequences picked by got10k_val_split.txt  got10k_path
davis2016/17   DAVIS val (2016: single object)                                 davis_path
ytvos2018/19   YouTube-VOS valid                                               youtubevos_path
demo           small generated VOT-format set (see pytracking.evaluation.demo)  workspace_path
=============  ==============================================================  ====================

Names are matched case-insensitively, and the original frameworks' spellings are aliases (:data:`ALIASES`:
``DAVIS2017`` as in davis2017-evaluation / CMEDFL's ``test_davis.py``, ``got10k_test`` / ``trackingnet`` as in the
original pytracking); :func:`canonical_name` resolves them and :func:`dataset_arg` is the ``type=`` of every CLI's
``--dataset``.
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from pathlib import Path

from ltr.admin.errors import DataFormatError
from ltr.admin.settings import load_settings
from pytracking.evaluation.data import SequenceList

__all__ = ["DatasetInfo", "DATASETS", "ALIASES", "get_dataset", "dataset_names", "dataset_root", "canonical_name",
           "dataset_arg"]


@dataclass(frozen=True)
class DatasetInfo:
    module: str  # under pytracking.evaluation
    function: str
    settings_key: str | None
    kwargs: dict = field(default_factory=dict)


DATASETS: dict[str, DatasetInfo] = {
    **{f"vot{y}": DatasetInfo("vot", "load_vot", f"vot{y}_path", {"dataset": f"vot{y}"})
       for y in (2016, 2017, 2018, 2019, 2020)},
    "vot": DatasetInfo("vot", "load_vot", "vot2018_path", {"dataset": "vot"}),
    "otb": DatasetInfo("otb", "load_otb", "otb_path"),
    "lasot": DatasetInfo("lasot", "load_lasot", "lasot_path"),
    "tn": DatasetInfo("trackingnet", "load_trackingnet", "trackingnet_path"),
    "gotv": DatasetInfo("got10k", "load_got10k", "got10k_path", {"split": "val", "dataset": "gotv"}),
    "gott": DatasetInfo("got10k", "load_got10k", "got10k_path", {"split": "test", "dataset": "gott"}),
    "gotlv": DatasetInfo("got10k", "load_got10k", "got10k_path", {"split": "ltrval", "dataset": "gotlv"}),
    "davis2016": DatasetInfo("davis", "load_davis", "davis_path", {"year": 2016}),
    "davis2017": DatasetInfo("davis", "load_davis", "davis_path", {"year": 2017}),
    "ytvos2018": DatasetInfo("youtubevos", "load_youtubevos", "youtubevos_path", {"version": 2018}),
    "ytvos2019": DatasetInfo("youtubevos", "load_youtubevos", "youtubevos_path", {"version": 2019}),
    "demo": DatasetInfo("demo", "load_demo", None),
}


#: The original frameworks' spellings (lower case; matched case-insensitively) -> registered name.
ALIASES: dict[str, str] = {
    "got10k_val": "gotv", "got10k_test": "gott", "got10k_ltrval": "gotlv", "trackingnet": "tn", "otb100": "otb",
    "youtubevos2018": "ytvos2018", "youtubevos2019": "ytvos2019",
}


def dataset_names() -> list[str]:
    return list(DATASETS)


def canonical_name(name: str) -> str:
    """The registered name of ``name`` (exact, any case, or an :data:`ALIASES` spelling); ``KeyError`` listing the
    known names otherwise."""
    if name in DATASETS:
        return name
    lower = str(name).lower()
    if lower in DATASETS:
        return lower
    if lower in ALIASES:
        return ALIASES[lower]
    raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)} (any case; also "
                   f"{', '.join(sorted(ALIASES))})")


def dataset_arg(name: str) -> str:
    """``argparse`` type of ``--dataset``: the registered name, or an error naming the known ones."""
    import argparse

    try:
        return canonical_name(name)
    except KeyError as exc:
        raise argparse.ArgumentTypeError(exc.args[0]) from None


def get_dataset(name: str, root: str | os.PathLike | None = None) -> SequenceList:
    """The sequences of dataset ``name``; ``root`` overrides the settings key (for ``demo``: the folder under which
    the demo set is generated)."""
    name = canonical_name(name)
    info = DATASETS[name]
    loader = getattr(importlib.import_module(f"pytracking.evaluation.{info.module}"), info.function)
    if info.settings_key is None:
        return loader(root, **info.kwargs)
    return loader(dataset_root(name, root), **info.kwargs)


def dataset_root(name: str, root: str | os.PathLike | None = None) -> Path:
    """The folder ``name`` is read from: ``root`` (must exist) or its settings key (for ``demo``: the generated
    set's folder, which may not exist yet)."""
    name = canonical_name(name)
    info = DATASETS[name]
    if info.settings_key is None:
        from pytracking.evaluation.demo import demo_root
        return demo_root(root)
    if root is not None:
        path = Path(root).expanduser().resolve()
        if not path.is_dir():
            raise DataFormatError(path, f"dataset root for {name} is not an existing folder")
        return path
    return load_settings().dataset_root(info.settings_key)
