"""Path settings shared by ``ltr`` and ``pytracking`` (replaces pytracking's generated ``local.py`` files).

Resolution order for each key, later wins:

1. built-in default (dataset roots have none; output folders default to folders under the current directory),
2. the TOML settings file: ``$PYTRACKING_SETTINGS`` if set, else ``~/.config/pytracking/settings.toml``,
3. the environment variable ``PYTRACKING_<KEY>`` (``PYTRACKING_GOT10K_PATH`` for ``got10k_path``),
4. command-line flags, passed in as ``overrides``.

The settings file is plain TOML with one table-less ``key = "value"`` line per key::

    vot2018_path = "/data/vot2018"
    results_path = "/data/results"

Nothing here writes files. ``python -m pytracking.settings`` prints every key, its value and where it came from.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from ltr.admin.params import ParameterError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

#: Every key with a one-line description; dataset keys first.
SETTINGS_KEYS: dict[str, str] = {
    "vot2016_path": "VOT2016 root (holds list.txt and one folder per sequence)",
    "vot2017_path": "VOT2017 root (holds list.txt and one folder per sequence)",
    "vot2018_path": "VOT2018 root (holds list.txt and one folder per sequence)",
    "vot2019_path": "VOT2019 root (holds list.txt and one folder per sequence)",
    "vot2020_path": "VOT2020 root (holds list.txt and one folder per sequence)",
    "otb_path": "OTB-100 root (holds <Seq>/img and <Seq>/groundtruth_rect.txt)",
    "lasot_path": "LaSOT root (holds <class>/<class>-<n>/)",
    "trackingnet_path": "TrackingNet root (holds TEST/frames and TEST/anno)",
    "got10k_path": "GOT-10k root (the folder holding train/, val/ and test/)",
    "davis_path": "DAVIS root (the folder holding JPEGImages/, Annotations/ and ImageSets/)",
    "youtubevos_path": "YouTube-VOS root (the folder holding train/ and valid/)",
    "results_path": "where tracking results are written",
    "network_path": "where network checkpoints are looked up",
    "workspace_path": "training workspace (checkpoints, logs)",
    "tensorboard_path": "TensorBoard log folder",
}

#: Defaults for output folders, relative to the current working directory at resolution time.
_DEFAULTS: dict[str, str] = {
    "results_path": "results",
    "network_path": "networks",
    "workspace_path": "workspace",
    "tensorboard_path": "workspace/tensorboard",
}

ENV_PREFIX = "PYTRACKING_"
SETTINGS_FILE_ENV = "PYTRACKING_SETTINGS"


class SettingsError(ParameterError):
    """A settings key is missing, unknown or points to something that does not exist."""


def unknown_home(value: str | os.PathLike) -> str | None:
    """The ``~user`` prefix of ``value`` when it names a user that does not exist (``expanduser`` then leaves it
    as it is: a folder literally named ``~user`` would be used), else ``None``."""
    text = os.fspath(value)
    if not isinstance(text, str) or not text.startswith("~"):
        return None
    prefix = text.split(os.sep, 1)[0]
    return prefix if os.path.expanduser(prefix) == prefix else None


def expand_user(value: str | os.PathLike, what: str) -> Path:
    """``Path(value).expanduser()``; :class:`SettingsError` naming ``what`` (an option or settings key) when
    ``value`` starts with ``~user`` for a user that does not exist."""
    prefix = unknown_home(value)
    if prefix is not None:
        raise SettingsError(f"{what} = {os.fspath(value)!r}: there is no user {prefix[1:]!r}, so {prefix!r} does "
                            f"not name a home folder; give the full path (or ~/... for your own home)")
    return Path(value).expanduser()


def env_name(key: str) -> str:
    """``got10k_path`` -> ``PYTRACKING_GOT10K_PATH``."""
    return ENV_PREFIX + key.upper()


def settings_file() -> Path:
    """The settings file that is read (it need not exist)."""
    explicit = os.environ.get(SETTINGS_FILE_ENV)
    if explicit:
        return Path(explicit).expanduser()
    return Path("~/.config/pytracking/settings.toml").expanduser()


def how_to_set(key: str) -> str:
    """One sentence telling a user the three ways to set ``key``."""
    return (f"set it with the environment variable {env_name(key)}=/path, or a line '{key} = \"/path\"' in "
            f"{settings_file()} (or the file named by ${SETTINGS_FILE_ENV}), or the matching command-line flag")


@dataclass(frozen=True)
class SettingValue:
    """One resolved key: its value (``None`` when unset) and where the value came from."""

    key: str
    value: str | None
    source: str  # "default", "file <path>", "env PYTRACKING_X", "command line", "unset"


class Settings:
    """Resolved path settings. Use :meth:`path` for a key that must be set, :meth:`dataset_root` for a dataset."""

    def __init__(self, values: Mapping[str, SettingValue]):
        self._values = dict(values)

    def __iter__(self):
        return iter(self._values.values())

    def get(self, key: str) -> str | None:
        """The raw value of ``key`` or ``None`` when unset."""
        if key not in SETTINGS_KEYS:
            raise SettingsError(f"unknown settings key '{key}'; known keys: {', '.join(SETTINGS_KEYS)}")
        return self._values[key].value

    def source(self, key: str) -> str:
        return self._values[key].source

    def path(self, key: str) -> Path:
        """``key`` as an absolute path; a clear error naming the key when it is unset."""
        value = self.get(key)
        if value is None or value == "":
            raise SettingsError(f"settings key '{key}' ({SETTINGS_KEYS[key]}) is not set; {how_to_set(key)}.")
        return expand_user(value, f"settings key '{key}' (from {self.source(key)})").resolve()

    def dataset_root(self, key: str) -> Path:
        """A dataset root that must exist as a folder; the error names the key, the value tried and where it came
        from."""
        root = self.path(key)
        if not root.is_dir():
            raise SettingsError(
                f"settings key '{key}' ({SETTINGS_KEYS[key]}) is '{self.get(key)}' (from {self.source(key)}), "
                f"which is not an existing folder; {how_to_set(key)}.")
        return root


def _read_file(path: Path) -> dict[str, str]:
    if not path.is_file():
        if os.environ.get(SETTINGS_FILE_ENV):
            raise SettingsError(f"${SETTINGS_FILE_ENV} names the settings file {path}, which does not exist; create "
                                f"it, fix the path, or unset {SETTINGS_FILE_ENV} to use "
                                f"~/.config/pytracking/settings.toml")
        return {}
    from ltr.admin.errors import DataFormatError
    from ltr.admin.textio import read_text

    try:
        data = tomllib.loads(read_text(path))
    except DataFormatError as exc:
        raise SettingsError(f"settings file {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"settings file {path} is not valid TOML: {exc}") from exc
    out = {}
    for key, value in data.items():
        if key not in SETTINGS_KEYS:
            raise SettingsError(f"settings file {path}: unknown key '{key}'; known keys: {', '.join(SETTINGS_KEYS)}")
        if not isinstance(value, str):
            raise SettingsError(f"settings file {path}: key '{key}' must be a string path, got {value!r}")
        out[key] = value
    return out


def load_settings(overrides: Mapping[str, str | os.PathLike | None] | None = None) -> Settings:
    """Resolve every key (defaults < file < environment < ``overrides``). ``None`` overrides are ignored."""
    file_path = settings_file()
    from_file = _read_file(file_path)
    values: dict[str, SettingValue] = {}
    for key in SETTINGS_KEYS:
        value, source = None, "unset"
        if key in _DEFAULTS:
            value, source = str(Path.cwd() / _DEFAULTS[key]), "default"
        if key in from_file:
            value, source = from_file[key], f"file {file_path}"
        env_value = os.environ.get(env_name(key))
        if env_value:
            value, source = env_value, f"env {env_name(key)}"
        values[key] = SettingValue(key, value, source)
    for key, value in (overrides or {}).items():
        if key not in SETTINGS_KEYS:
            raise SettingsError(f"unknown settings key '{key}'; known keys: {', '.join(SETTINGS_KEYS)}")
        if value is not None:
            values[key] = SettingValue(key, str(value), "command line")
    return Settings(values)
