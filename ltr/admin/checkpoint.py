"""Checkpoints: plain state dicts plus a JSON-able net config, loadable with ``torch.load(weights_only=True)``.

File layout (one ``.pth`` file, written atomically)::

    {"net": state_dict (CPU tensors),
     "config": dict that rebuilds the net through ltr.models.build_net(config) (JSON-able),
     "meta": {"epoch": int, "settings": "segm/segm_default", "time": ISO-8601 str, ...},
     # head-only checkpoints only (see below):
     "backbone_source": {"backbone": "efficientnet_lite0", "weights": "imagenet", "package": "<pip name>",
                         "file": "<weight file name>", "omitted_keys": int},
     # training checkpoints only:
     "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng_state()}

Head-only checkpoints: when the config names a backbone whose ImageNet weights come from an installed package
(``ltr.models.config.PACKAGED_BACKBONES``, e.g. EfficientNet-Lite0) and the backbone is frozen, the frozen backbone
weights are left out of ``net`` (a fine-tuned last stage is kept) and ``backbone_source`` names the package.
:func:`load_network` then builds the backbone from the package (never a download) and loads the rest strictly.

Training checkpoints live at ``<workspace>/checkpoints/<module>/<settings>/<NetName>_ep<NNNN>.pth``. Unlike the
original ``.pth.tar`` files nothing is pickled (no ``constructor`` object): the net is rebuilt from ``config``.
"""
from __future__ import annotations

import datetime as _dt
import errno
import json
import os
import pickle
import random
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ltr.admin.atomic import atomic_open
from ltr.admin.errors import DataFormatError

_EPOCH_FILE = re.compile(r"^(?P<net>.+)_ep(?P<epoch>\d{4,})\.pth$")


def checkpoint_dir(workspace: str | os.PathLike, module: str, settings_name: str) -> Path:
    """``<workspace>/checkpoints/<module>/<settings_name>``."""
    return Path(workspace) / "checkpoints" / module / settings_name


def checkpoint_path(directory: str | os.PathLike, net_name: str, epoch: int) -> Path:
    """``<directory>/<net_name>_ep<NNNN>.pth``."""
    return Path(directory) / f"{net_name}_ep{epoch:04d}.pth"


def list_checkpoints(directory: str | os.PathLike, net_name: str | None = None) -> list[tuple[int, Path]]:
    """``(epoch, path)`` of every ``*_epNNNN.pth`` in ``directory`` (of ``net_name`` only, if given), by epoch."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    found = []
    for path in directory.iterdir():
        match = _EPOCH_FILE.match(path.name)
        if match and path.is_file() and (net_name is None or match["net"] == net_name):
            found.append((int(match["epoch"]), path))
    return sorted(found)


def latest_checkpoint(directory: str | os.PathLike, net_name: str | None = None) -> Path | None:
    """The checkpoint with the highest epoch in ``directory``, or ``None``."""
    found = list_checkpoints(directory, net_name)
    return found[-1][1] if found else None


def unwrap(net: torch.nn.Module) -> torch.nn.Module:
    """The plain module inside DistributedDataParallel / DataParallel wrappers (so keys carry no ``module.``)."""
    while isinstance(net, (torch.nn.parallel.DistributedDataParallel, torch.nn.DataParallel)):
        net = net.module
    return net


def rng_state() -> dict[str, Any]:
    """Python, NumPy (global) and torch RNG states as tensors/lists (``weights_only``-loadable)."""
    py_version, py_state, py_gauss = random.getstate()
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = np.random.get_state()
    state = {
        "python": [py_version, list(py_state), py_gauss],
        "numpy": [np_name, torch.from_numpy(np.asarray(np_keys, dtype=np.int64)), int(np_pos), int(np_has_gauss),
                  float(np_gauss)],
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore what :func:`rng_state` returned."""
    py_version, py_state, py_gauss = state["python"]
    random.setstate((py_version, tuple(py_state), py_gauss))
    np_name, np_keys, np_pos, np_has_gauss, np_gauss = state["numpy"]
    np.random.set_state((np_name, np_keys.numpy().astype(np.uint32), np_pos, np_has_gauss, np_gauss))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _check_json(config: dict, what: str) -> None:
    try:
        json.dumps(config, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"checkpoint {what} must be JSON-able (plain dicts, lists, str, numbers): {exc}") from exc


def save_checkpoint(path: str | os.PathLike, net: torch.nn.Module, config: dict, meta: dict | None = None,
                    optimizer: torch.optim.Optimizer | None = None, scheduler=None,
                    rng: dict | None = None) -> Path:
    """Write a checkpoint atomically (see module docstring). ``meta`` gets a ``time`` entry if it has none."""
    _check_json(config, "config")
    meta = dict(meta or {})
    meta.setdefault("time", _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"))
    meta.setdefault("net_type", type(unwrap(net)).__name__)
    _check_json(meta, "meta")
    state = {k: v.detach().cpu() for k, v in unwrap(net).state_dict().items()}
    payload: dict[str, Any] = {"net": state, "config": config, "meta": meta}
    source = _packaged_source(unwrap(net), config)
    if source is not None:
        omitted, payload["backbone_source"] = source
        for key in omitted:
            del state[key]
    if optimizer is not None:
        payload["optimizer"] = optimizer.state_dict()
    if scheduler is not None:
        payload["scheduler"] = scheduler.state_dict()
    if rng is not None:
        payload["rng"] = rng
    path = Path(path)
    _write_payload(path, payload)
    return path


def _write_payload(path: Path, payload: dict) -> None:
    """``torch.save`` to ``path`` atomically (a failed write leaves the previous file intact); torch's writer errors
    (``PytorchStreamWriter failed writing file``: disk full / I/O error) become an ``OSError`` naming ``path``."""
    try:
        with atomic_open(path, "wb") as f:
            torch.save(payload, f)
    except RuntimeError as exc:
        if "PytorchStreamWriter" not in str(exc) and "inline_container" not in str(exc):
            raise
        full = errno.ENOSPC if _nearly_full(path.parent) else errno.EIO
        last = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise OSError(full, f"writing the checkpoint failed ({last})", str(path)) from exc


def _nearly_full(folder: Path) -> bool:
    try:
        return shutil.disk_usage(folder).free < 64 * 2 ** 20
    except OSError:
        return False


#: torch's magic number, the first pickle of a file written by torch.save before PyTorch 1.6
_LEGACY_TORCH_HEAD = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19"
_IMAGE_HEADS = ((b"\xff\xd8\xff", "a JPEG image"), (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"),
                (b"BM", "a BMP image"))


def sniff_torch_file(path: str | os.PathLike) -> str | None:
    """Why the file at ``path`` cannot be a ``torch.save`` file, judged from its first bytes (an image renamed
    ``.pth``, a plain Python pickle, text...), or ``None`` when it looks like one (zip or pre-1.6 torch format)."""
    with open(path, "rb") as f:
        head = f.read(len(_LEGACY_TORCH_HEAD))
    if head.startswith(b"PK\x03\x04") or head == _LEGACY_TORCH_HEAD:
        return None
    for magic, kind in _IMAGE_HEADS:
        if head.startswith(magic):
            return f"is {kind} (renamed?), not a torch checkpoint"
    if not head:
        return "is empty, not a torch checkpoint"
    if head[:1] == b"\x80":
        return "is a plain Python pickle, not a file written by torch.save (no torch magic number)"
    return "is not a torch checkpoint (neither torch's zip format nor its pre-1.6 format)"


def describe_payload(payload: Any) -> str:
    """A short description of what a loaded file holds, for error messages (never the full key list)."""
    if not isinstance(payload, dict):
        return f"a {type(payload).__name__}"
    if payload and all(torch.is_tensor(v) for v in payload.values()):
        first = next(iter(payload))
        return f"a bare state dict ({len(payload)} tensors, first key {first!r})"
    keys = sorted(map(str, payload))
    return f"a dict with keys {keys[:8]}{' ...' if len(keys) > 8 else ''}"


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint with ``weights_only=True``; clear errors for missing, legacy or malformed files."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "checkpoint file does not exist")
    not_torch = sniff_torch_file(path)
    if not_torch is not None:
        raise DataFormatError(path, not_torch)
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        raise DataFormatError(
            path, "not a plain state-dict checkpoint (weights_only=True refused it); original D3S/DMB/CMEDFL "
                  f".pth.tar files pickle Python objects and must be converted first ({exc})") from exc
    except (RuntimeError, EOFError, OSError, KeyError) as exc:  # KeyError: a malformed pre-1.6 file
        raise DataFormatError(path, f"not a readable torch checkpoint (truncated or not a .pth file?): {exc}") from exc
    if not isinstance(payload, dict) or "net" not in payload or "config" not in payload:
        hint = ""
        if isinstance(payload, dict) and ("state_dict" in payload or "net" in payload or
                                          (payload and all(torch.is_tensor(v) for v in payload.values()))):
            hint = ("; an original D3S/CMEDFL/DMB checkpoint or a bare state dict: convert it with "
                    "python -m ltr.models.legacy {d3s,cmedfl,dmb} IN OUT")
        raise DataFormatError(path, f"checkpoint must be a dict with 'net' and 'config' entries, found "
                                    f"{describe_payload(payload)}{hint}")
    return payload


def _random_backbone(config: Any) -> Any:
    """A copy of ``config`` with every ``backbone_weights`` entry set to ``"random"`` (weights come from the file)."""
    if isinstance(config, dict):
        return {k: ("random" if k == "backbone_weights" else _random_backbone(v)) for k, v in config.items()}
    if isinstance(config, list):
        return [_random_backbone(v) for v in config]
    return config


def _packaged_source(net: torch.nn.Module, config: Any) -> tuple[list[str], dict] | None:
    """(keys to leave out, ``backbone_source`` entry) when ``config`` makes a head-only checkpoint, else None."""
    if not (isinstance(config, dict) and "arch" in config and hasattr(net, "backbone_modules")):
        return None
    from ltr.models.config import PACKAGED_BACKBONES, packaged_backbone_keys

    keys = packaged_backbone_keys(net, config)
    if not keys:
        return None
    info = PACKAGED_BACKBONES[config["backbone"]]
    return keys, {"backbone": config["backbone"], "weights": "imagenet", "package": info["package"],
                  "file": info["file"], "omitted_keys": len(keys)}


def _scalable(backbone) -> bool:
    """Whether the registered backbone ``backbone`` takes ``backbone_width`` (False for unknown names)."""
    from ltr.models.registry import BACKBONES, backbone_spec

    return isinstance(backbone, str) and backbone in BACKBONES and backbone_spec(backbone).scalable_width


def _describe_backbone(config: dict) -> str:
    from ltr.models.config import NetConfig

    backbone = config.get("backbone", NetConfig.backbone)
    if _scalable(backbone):
        return f"{backbone} (width {config.get('backbone_width', NetConfig.backbone_width)})"
    return str(backbone)


def _guess_backbone(state: dict, config: dict) -> str | None:
    """The backbone (of those build_net knows) whose head shapes fit ``state``, for error messages; None if none."""
    if not isinstance(config, dict) or "arch" not in config:
        return None
    from ltr.models import build_net
    from ltr.models.config import all_backbone_names

    candidates = [{"backbone": b} for b in all_backbone_names() if not _scalable(b)]
    candidates += [{"backbone": b, "backbone_width": w} for b in all_backbone_names() if _scalable(b)
                   for w in (64, 32, 16)]
    for cand in candidates:
        trial = {k: v for k, v in config.items() if k not in ("backbone", "backbone_width", "backbone_weights")}
        trial.update(cand, backbone_weights="random")
        try:
            own = build_net(trial).state_dict()
        except ValueError:
            continue
        shared = [k for k in state if k in own]
        if shared and all(tuple(own[k].shape) == tuple(state[k].shape) for k in shared) and \
                set(state) <= set(own):
            return _describe_backbone(trial)
    return None


def _mismatch(path, state: dict, config: dict, detail: str) -> DataFormatError:
    guess = _guess_backbone(state, config)
    if guess is None:
        return DataFormatError(path, f"weights do not fit the net built from its config: {detail}")
    expected = _describe_backbone(config)
    if guess != expected:
        return DataFormatError(path, f"the weights in the file belong to a net on backbone {guess}, but its config "
                                     f"names backbone {expected} ({detail}); the checkpoint is inconsistent: "
                                     f"re-export it from its training run")
    return DataFormatError(path, f"weights do not fit the net built from its config (backbone {expected}): {detail}")


def load_net_state(net: torch.nn.Module, payload: dict, path: str | os.PathLike) -> None:
    """Load ``payload["net"]`` into ``net`` strictly; a head-only checkpoint (``backbone_source``) must hold exactly
    the keys that are not the packaged backbone's (whose weights ``net`` already has from the package)."""
    state, config = payload["net"], payload["config"]
    omitted: set[str] = set()
    if "backbone_source" in payload:
        source = payload["backbone_source"]
        found = _packaged_source(net, config)
        if found is None:
            raise DataFormatError(path, f"head-only checkpoint (backbone {source.get('backbone')!r} from package "
                                        f"{source.get('package')!r}) but its config does not name a frozen packaged "
                                        f"backbone with backbone_weights 'imagenet'")
        omitted = set(found[0])
    own = net.state_dict()
    bad = [k for k in state if k in own and tuple(own[k].shape) != tuple(state[k].shape)]
    missing = sorted(set(own) - omitted - set(state))
    unexpected = sorted(set(state) - (set(own) - omitted))
    if bad or missing or unexpected:
        detail = (f"shape of {bad[0]}: file {tuple(state[bad[0]].shape)} vs net {tuple(own[bad[0]].shape)}" if bad
                  else f"missing {missing[:5]}{'...' if len(missing) > 5 else ''}, unexpected {unexpected[:5]}"
                       f"{'...' if len(unexpected) > 5 else ''}")
        raise _mismatch(path, state, config, detail)
    net.load_state_dict(state, strict=not omitted)  # key sets were checked above


def load_network(path: str | os.PathLike, device: str | torch.device = "cpu") -> tuple[torch.nn.Module, dict]:
    """Rebuild the net of a checkpoint and load its weights: ``(net in eval mode on device, config)``.

    Full checkpoints: the net is built with ``ltr.models.build_net(config)`` with ``backbone_weights`` forced to
    ``"random"`` (no ImageNet weights needed; every weight is then loaded from the file, strictly). Head-only
    checkpoints (``backbone_source``): the backbone is built from its package (a missing package is an error naming
    the pip command) and the remaining weights are loaded strictly.
    """
    from ltr.models import build_net  # imported here: ltr.models imports torchvision, not needed for saving

    payload = load_checkpoint(path, map_location="cpu")
    config = payload["config"]
    head_only = "backbone_source" in payload
    try:
        net = build_net(config if head_only else _random_backbone(config))
    except FileNotFoundError as exc:  # ltr.models.BackboneWeightsError: the weights package is missing
        if not head_only:
            raise
        source = payload["backbone_source"]
        raise DataFormatError(path, f"head-only checkpoint: its backbone {source.get('backbone')!r} is not stored in "
                                    f"the file but comes from the package {source.get('package')!r}, and that "
                                    f"failed: {exc}") from exc
    except ValueError as exc:  # ltr.models.NetConfigError: unknown arch or key
        raise DataFormatError(path, f"its 'config' does not build a net: {exc}") from exc
    load_net_state(net, payload, path)
    net.to(torch.device(device)).eval()
    return net, config


def export_network(src: str | os.PathLike, dst: str | os.PathLike, meta: dict | None = None) -> Path:
    """Write the inference part of a training checkpoint (``net``, ``config``, ``meta`` + ``meta`` updates) to
    ``dst``, without optimizer/scheduler/RNG state (a third of the size for Adam)."""
    payload = load_checkpoint(src)
    out = {"net": payload["net"], "config": payload["config"], "meta": {**payload.get("meta", {}), **(meta or {})}}
    if "backbone_source" in payload:
        out["backbone_source"] = payload["backbone_source"]
    _check_json(out["meta"], "meta")
    dst = Path(dst)
    _write_payload(dst, out)
    return dst
