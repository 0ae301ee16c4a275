"""Checkpoints: plain state dicts plus a JSON-able net config, loadable with ``torch.load(weights_only=True)``.

File layout (one ``.pth`` file, written atomically)::

    {"net": state_dict (CPU tensors),
     "config": dict that rebuilds the net through ltr.models.build_net(config) (JSON-able),
     "meta": {"epoch": int, "settings": "segm/segm_default", "time": ISO-8601 str, ...},
     # training checkpoints only:
     "optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict(), "rng": rng_state()}

Training checkpoints live at ``<workspace>/checkpoints/<module>/<settings>/<NetName>_ep<NNNN>.pth``. Unlike the
original ``.pth.tar`` files nothing is pickled (no ``constructor`` object): the net is rebuilt from ``config``.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import pickle
import random
import re
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
    if optimizer is not None:
        payload["optimizer"] = optimizer.state_dict()
    if scheduler is not None:
        payload["scheduler"] = scheduler.state_dict()
    if rng is not None:
        payload["rng"] = rng
    path = Path(path)
    with atomic_open(path, "wb") as f:
        torch.save(payload, f)
    return path


def load_checkpoint(path: str | os.PathLike, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load a checkpoint with ``weights_only=True``; clear errors for missing, legacy or malformed files."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "checkpoint file does not exist")
    try:
        payload = torch.load(path, map_location=map_location, weights_only=True)
    except pickle.UnpicklingError as exc:
        raise DataFormatError(
            path, "not a plain state-dict checkpoint (weights_only=True refused it); original D3S/DMB/CMEDFL "
                  f".pth.tar files pickle Python objects and must be converted first ({exc})") from exc
    except (RuntimeError, EOFError, OSError) as exc:
        raise DataFormatError(path, f"not a readable torch checkpoint (truncated or not a .pth file?): {exc}") from exc
    if not isinstance(payload, dict) or "net" not in payload or "config" not in payload:
        keys = sorted(payload) if isinstance(payload, dict) else type(payload).__name__
        raise DataFormatError(path, f"checkpoint must be a dict with 'net' and 'config' entries, found {keys}")
    return payload


def _random_backbone(config: Any) -> Any:
    """A copy of ``config`` with every ``backbone_weights`` entry set to ``"random"`` (weights come from the file)."""
    if isinstance(config, dict):
        return {k: ("random" if k == "backbone_weights" else _random_backbone(v)) for k, v in config.items()}
    if isinstance(config, list):
        return [_random_backbone(v) for v in config]
    return config


def load_network(path: str | os.PathLike, device: str | torch.device = "cpu") -> tuple[torch.nn.Module, dict]:
    """Rebuild the net of a checkpoint and load its weights: ``(net in eval mode on device, config)``.

    The net is built with ``ltr.models.build_net(config)`` with ``backbone_weights`` forced to ``"random"`` (no
    ImageNet download; every weight is then loaded from the file, strictly).
    """
    from ltr.models import build_net  # imported here: ltr.models imports torchvision, not needed for saving

    payload = load_checkpoint(path, map_location="cpu")
    config = payload["config"]
    try:
        net = build_net(_random_backbone(config))
    except ValueError as exc:  # ltr.models.NetConfigError: unknown arch or key
        raise DataFormatError(path, f"its 'config' does not build a net: {exc}") from exc
    try:
        result = net.load_state_dict(payload["net"], strict=False)
    except RuntimeError as exc:  # shape mismatches
        raise DataFormatError(path, f"weights do not fit the net built from its config: {exc}") from exc
    missing, unexpected = list(result.missing_keys), list(result.unexpected_keys)
    if missing or unexpected:
        raise DataFormatError(
            path, f"weights do not match the net built from its config: missing {missing[:5]}"
                  f"{'...' if len(missing) > 5 else ''}, unexpected {unexpected[:5]}"
                  f"{'...' if len(unexpected) > 5 else ''}")
    net.to(torch.device(device)).eval()
    return net, config


def export_network(src: str | os.PathLike, dst: str | os.PathLike, meta: dict | None = None) -> Path:
    """Write the inference part of a training checkpoint (``net``, ``config``, ``meta`` + ``meta`` updates) to
    ``dst``, without optimizer/scheduler/RNG state (a third of the size for Adam)."""
    payload = load_checkpoint(src)
    out = {"net": payload["net"], "config": payload["config"], "meta": {**payload.get("meta", {}), **(meta or {})}}
    _check_json(out["meta"], "meta")
    dst = Path(dst)
    with atomic_open(dst, "wb") as f:
        torch.save(out, f)
    return dst
