"""Loading a tracker's network and turning crops into network input.

A checkpoint named by a parameter file (``net_path``) is resolved as: an absolute path as it is; otherwise
``pytracking/networks/<name>`` (checkpoints shipped with the package), then ``<network_path setting>/<name>``.
Loaded nets are cached per (file, modification time, device), so the many ``initialize`` calls of a VOT run do not
reload the file (the original re-loaded it at every initialisation, §2.8).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import torch

from ltr.admin.errors import DataFormatError
from ltr.admin.settings import expand_user, how_to_set, load_settings
from ltr.data.preprocess import IMAGENET_NORMALIZATION, normalize_images

#: Checkpoints shipped with the package.
SHIPPED_NETWORKS_DIR = Path(__file__).resolve().parents[2] / "networks"

_CACHE: dict[tuple[str, int, str], tuple[torch.nn.Module, dict]] = {}
_CACHE_SIZE = 2


def resolve_network_path(name: str | os.PathLike) -> Path:
    """The checkpoint file for ``name`` (see module docstring); a clear error lists the places tried."""
    path = expand_user(name, "parameter net_path")
    if path.is_absolute():
        candidates = [path]
    else:
        candidates = [SHIPPED_NETWORKS_DIR / path]
        network_dir = load_settings().get("network_path")
        if network_dir:
            candidates.append(Path(network_dir).expanduser() / path)
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise FileNotFoundError(
        f"network checkpoint '{name}' (parameter net_path) not found; tried {', '.join(map(str, candidates))}. "
        f"Train one (python -m ltr.run_training ...) or copy it into the network folder ({how_to_set('network_path')})")


def load_tracker_network(name: str | os.PathLike, device) -> tuple[torch.nn.Module, dict]:
    """``(net in eval mode on device, config)`` for the checkpoint ``name``; cached, never modified by trackers."""
    from ltr.admin.checkpoint import load_network

    path = resolve_network_path(name)
    key = (str(path), path.stat().st_mtime_ns, str(torch.device(device)))
    if key not in _CACHE:
        while len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        net, config = load_network(path, device)
        for p in net.parameters():
            p.requires_grad_(False)
        # NHWC convolutions are 20-40 % faster on CPU (oneDNN) and on CUDA tensor cores; inputs follow in
        # net_input. Same numbers up to float rounding.
        net = net.to(memory_format=torch.channels_last)
        _CACHE[key] = (net, config)
    return _CACHE[key]


_CROP_CACHE: dict[tuple[str, int], int | None] = {}


def recorded_crop_size(path: str | os.PathLike) -> int | None:
    """The segmentation crop size (px) the checkpoint at ``path`` was trained on: ``meta.train_settings``
    ``processing.output_size``, else ``crop_output_size`` of the
    ``.json`` beside it; ``None`` when neither records it (converted / hand-made checkpoints). ``path`` is a
    checkpoint that :func:`load_tracker_network` has read. Cached per file time."""
    path = Path(path)
    key = (str(path), path.stat().st_mtime_ns)
    if key not in _CROP_CACHE:
        size = None
        payload = torch.load(path, map_location="cpu", weights_only=True, mmap=True)  # mmap: only the meta is read
        settings = payload.get("meta", {}).get("train_settings")
        if isinstance(settings, dict):
            processing = settings.get("processing")
            size = processing.get("output_size") if isinstance(processing, dict) else None
        sidecar = path.with_suffix(".json")
        if size is None and sidecar.is_file():
            try:
                info = json.loads(sidecar.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError):
                info = {}
            size = info.get("crop_output_size") if isinstance(info, dict) else None
        _CROP_CACHE[key] = int(size) if isinstance(size, (int, float)) and not isinstance(size, bool) else None
    return _CROP_CACHE[key]


def check_crop_size(name: str | os.PathLike, segm_output_sz: int) -> None:
    """Raise :class:`DataFormatError` (naming the checkpoint, both sizes and the parameter) when the checkpoint
    ``name`` records a training crop size other than the tracker's ``segm_output_sz`` (a net only works at the crop
    size it was trained on); nothing when it records none."""
    path = resolve_network_path(name)
    trained = recorded_crop_size(path)
    if trained is not None and trained != segm_output_sz:
        raise DataFormatError(
            path, f"checkpoint (parameter net_path) was trained on {trained} px crops but the tracker's "
            f"segmentation crop is {segm_output_sz} px; set the parameter segm_output_sz={trained} "
            f"(--set segm_output_sz={trained}, or tiny_crop(params, {trained}) in a parameter file)")


def net_input(images: torch.Tensor, normalization=IMAGENET_NORMALIZATION) -> torch.Tensor:
    """``(B, 3, S, S)`` in [0, 255] -> normalised (:func:`ltr.data.preprocess.normalize_images`), channels-last
    (NHWC convolutions, see :func:`load_tracker_network`)."""
    return normalize_images(images, normalization).contiguous(memory_format=torch.channels_last)


def backbone_features(net: torch.nn.Module, pixels: torch.Tensor) -> dict[str, torch.Tensor]:
    """``net.extract_backbone`` of image samples ``(B, 3, S, S)`` in [0, 255], normalised as ``net`` expects (its
    ``input_normalization``; a bare ResNet: ImageNet), channels-last."""
    normalization = getattr(net, "input_normalization", IMAGENET_NORMALIZATION)
    with torch.no_grad():
        return net.extract_backbone(net_input(pixels, normalization))


def layer3_feature_fn(net: torch.nn.Module):
    """The DCF feature function: image samples ``(B, 3, S, S)`` in [0, 255] -> ``net.extract_backbone`` layer3.

    ``net`` is the tracker's own net (its frozen trunk; DMB's query encoder, §3.3) or the separate ImageNet
    ResNet-50 of :func:`load_dcf_backbone` (D3S/CMEDFL with the authors' checkpoints, §1.4 "Features").
    """

    def feature_fn(samples: torch.Tensor) -> torch.Tensor:
        return backbone_features(net, samples)["layer3"]

    return feature_fn


class _TrunkFeatures(torch.nn.Module):
    """A bare ResNet trunk with the ``extract_backbone`` interface of the tracker nets."""

    def __init__(self, trunk: torch.nn.Module):
        super().__init__()
        self.trunk = trunk

    def extract_backbone(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        return self.trunk(images)


_DCF_CACHE: dict[tuple[str, int, str], torch.nn.Module] = {}


def load_dcf_backbone(source: str, device) -> torch.nn.Module:
    """The separate DCF backbone named by the parameter ``dcf_backbone``: a torchvision ResNet-50 (conv1..layer3,
    eval mode, frozen) with ``"imagenet"`` weights (torchvision's file in the torch hub cache, never downloaded) or the
    torchvision-layout state dict at the path ``source``. Cached per (source, file time, device)."""
    from ltr.models.backbone import ResNetTrunk, imagenet_weight_candidates

    if source == "imagenet":
        found = [p for p in imagenet_weight_candidates("resnet50") if p.is_file()]
        stamp_path = found[0] if found else None
    else:
        stamp_path = Path(source).expanduser()
    stamp = stamp_path.stat().st_mtime_ns if stamp_path is not None and stamp_path.is_file() else 0
    key = (str(source), stamp, str(torch.device(device)))
    if key not in _DCF_CACHE:
        trunk = ResNetTrunk("resnet50", frozen=True)
        try:
            trunk.load_pretrained(source)
        except FileNotFoundError as exc:
            raise FileNotFoundError(f"parameter dcf_backbone={source!r}: {exc}") from exc
        while len(_DCF_CACHE) >= _CACHE_SIZE:
            _DCF_CACHE.pop(next(iter(_DCF_CACHE)))
        _DCF_CACHE[key] = _TrunkFeatures(trunk).to(device).eval().to(memory_format=torch.channels_last)
    return _DCF_CACHE[key]
