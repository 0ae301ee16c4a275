"""Convert original D3S / CMEDFL / DMB checkpoints into this project's checkpoint format (§7).

The original ``.pth.tar`` files pickle Python objects (a ``constructor`` referencing
``ltr.models.segm.segm.segm_resnet50``, ...), which ``torch.load(weights_only=True)`` refuses. They are read here
still with ``weights_only=True``: every non-allowlisted class or function named in the file is replaced by an inert
placeholder class, so nothing from the file is ever executed. Then the weights are renamed:

- D3S: ``feature_extractor.{conv1,bn1,layer1-3}.*`` and ``segm_predictor.*`` keep their names; the backbone's
  ``layer4``/``fc`` are dropped.
- CMEDFL: as D3S plus ``feat_adjust.*``; the predictor's unused ``segment0/1`` are dropped.
- DMB: ``{"state_dict": ...}`` with an optional ``module.`` prefix; ``Encoder_M.{conv1_m,conv1_o}`` ->
  ``encoder_m.mask_stem.*``, ``Encoder_M.{conv1,bn1,res2,res3,res4}`` -> ``encoder_m.trunk.{conv1,bn1,layer1-3}``,
  ``Encoder_Q.*`` -> ``encoder_q.*`` likewise, ``KV_M_r4.{Key,Value}`` -> ``kv_m.{key,value}``, ``KV_Q_r4`` ->
  ``kv_q``, ``Decoder.*`` -> ``decoder.*``; the encoders' ``mean``/``std`` buffers are dropped.

Missing BN ``num_batches_tracked`` counters (older files) are set to 0. The result must load strictly into
``build_net(config)``; otherwise a ``DataFormatError`` names the file and the keys.

CLI: ``python -m ltr.models.legacy {d3s,cmedfl,dmb} ORIGINAL.pth.tar OUT.pth``.
"""
from __future__ import annotations

import argparse
import os
import pickle
import re
from pathlib import Path
from typing import Any

import torch

from ltr.admin.cli import cli_main
from ltr.admin.errors import DataFormatError

#: config of the published networks (all ResNet-50)
LEGACY_CONFIGS = {
    "d3s": {"arch": "d3s", "backbone": "resnet50", "backbone_weights": "random", "frozen_backbone": True},
    "cmedfl": {"arch": "cmedfl", "backbone": "resnet50", "backbone_weights": "random", "frozen_backbone": True},
    "dmb": {"arch": "dmb", "backbone": "resnet50", "backbone_weights": "random", "frozen_backbone": True},
}

_TRUNK_KEEP = re.compile(r"^(conv1|bn1|layer1|layer2|layer3)\.")
_STM_LAYERS = {"res2": "layer1", "res3": "layer2", "res4": "layer3"}
_MAX_PLACEHOLDERS = 200


class _Inert:
    """Stand-in for a class or function named in a legacy pickle: holds the pickled state, runs nothing."""

    def __init__(self, *args, **kwargs):
        self.args = args
        self.kwargs = kwargs

    def __setstate__(self, state):
        self.__dict__["state"] = state


def _placeholder(name: str) -> tuple[type, str]:
    module, _, qualname = name.rpartition(".")
    cls = type(qualname or name, (_Inert,), {"__module__": module or "legacy"})
    return cls, name


def load_legacy_payload(path: str | os.PathLike) -> Any:
    """``torch.load(weights_only=True)`` of an original checkpoint, with inert placeholders for its classes."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "legacy checkpoint file does not exist")
    from ltr.admin.checkpoint import sniff_torch_file

    not_torch = sniff_torch_file(path)
    if not_torch is not None:
        raise DataFormatError(path, f"{not_torch}; expected an original D3S/CMEDFL/DMB .pth.tar")
    names: set[str] = set()
    try:
        names.update(torch.serialization.get_unsafe_globals_in_checkpoint(str(path)))
    except (ValueError, RuntimeError, OSError):
        pass  # not a zip checkpoint (PyTorch < 1.6 format): the names are collected from the errors below
    for _ in range(_MAX_PLACEHOLDERS):
        try:
            with torch.serialization.safe_globals([_placeholder(n) for n in sorted(names)]):
                return torch.load(path, map_location="cpu", weights_only=True)
        except pickle.UnpicklingError as exc:
            found = set(re.findall(r"GLOBAL ([\w.]+)", str(exc))) - names
            if not found:
                raise DataFormatError(path, f"cannot read this checkpoint even with placeholders: {exc}") from exc
            names |= found
        except (RuntimeError, EOFError, OSError) as exc:
            raise DataFormatError(path, f"not a readable torch checkpoint: {exc}") from exc
    raise DataFormatError(path, f"more than {_MAX_PLACEHOLDERS} unknown classes in the pickle; not a checkpoint?")


def _extract_state(payload: Any, arch: str, path: Path) -> dict[str, torch.Tensor]:
    from ltr.admin.checkpoint import describe_payload

    if not isinstance(payload, dict):
        raise DataFormatError(path, f"not a checkpoint: the file holds {describe_payload(payload)}, expected an "
                                    f"original {arch} checkpoint (a dict with its weights)")
    config = payload.get("config")
    if isinstance(config, dict) and "arch" in config and isinstance(payload.get("net"), dict):
        raise DataFormatError(path, f"is already converted: a checkpoint in this project's format (config arch "
                                    f"{config['arch']!r}); use it as it is (e.g. --set net_path={path})")
    for key in (("state_dict", "net") if arch == "dmb" else ("net", "state_dict")):
        if isinstance(payload.get(key), dict):
            payload = payload[key]
            break
    if not isinstance(payload, dict) or not payload or not all(torch.is_tensor(v) for v in payload.values()):
        raise DataFormatError(path, f"no state dict found (expected 'net' or 'state_dict' holding tensors) for "
                                    f"{arch}; the file holds {describe_payload(payload)}")
    return dict(payload)


def _guess_layout(state: dict[str, torch.Tensor]) -> tuple[str | None, str | None]:
    """``(arch, description)`` of the network an (already renamed) state dict looks like, from its key prefixes;
    ``(None, None)`` if unknown."""
    heads = {key.partition(".")[0] for key in state if not key.endswith("num_batches_tracked")}  # (0-filled)
    if {"encoder_m", "encoder_q"} <= heads:
        return "dmb", "a DMB net (convert it as dmb)"
    if "segm_predictor" in heads:
        if "feat_adjust" in heads:
            return "cmedfl", "a CMEDFL net (convert it as cmedfl)"
        return "d3s", "a D3S net (convert it as d3s)"
    if {"conv1", "layer1", "fc"} <= heads:
        return None, "a bare ResNet classifier (an ImageNet backbone?), not a tracker"
    return None, None


def convert_state_dict(arch: str, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Rename an original ``arch`` state dict to this project's layout (see module docstring); unknown keys are kept
    as they are, so that the strict load reports them."""
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if key.startswith("module."):
            key = key[len("module."):]
        new = _rename(arch, key)
        if new is not None:
            out[new] = value
    return out


def _rename(arch: str, key: str) -> str | None:
    if arch in ("d3s", "cmedfl"):
        if key.startswith("feature_extractor."):
            rest = key[len("feature_extractor."):]
            return key if _TRUNK_KEEP.match(rest) else None
        if arch == "cmedfl" and re.match(r"^segm_predictor\.segment[01]\.", key):
            return None  # dead weights in the original (§4.1)
        return key
    if arch != "dmb":
        raise ValueError(f"unknown arch {arch!r}; choose d3s, cmedfl or dmb")
    head, _, rest = key.partition(".")
    if head in ("Encoder_M", "Encoder_Q"):
        if rest in ("mean", "std"):
            return None
        if head == "Encoder_M" and rest.startswith(("conv1_m.", "conv1_o.")):
            return "encoder_m.mask_stem." + rest
        first, _, tail = rest.partition(".")
        first = _STM_LAYERS.get(first, first)
        prefix = "encoder_m.trunk." if head == "Encoder_M" else "encoder_q."
        return f"{prefix}{first}.{tail}"
    if head in ("KV_M_r4", "KV_Q_r4"):
        first, _, tail = rest.partition(".")
        return ("kv_m." if head == "KV_M_r4" else "kv_q.") + {"Key": "key", "Value": "value"}.get(first, first) + \
            "." + tail
    if head == "Decoder":
        return "decoder." + rest
    return key


def convert_legacy_checkpoint(arch: str, src: str | os.PathLike, dst: str | os.PathLike | None = None,
                              config: dict | None = None):
    """Read an original checkpoint, rename its weights and load them strictly into ``build_net`` of the published
    config (``config`` overrides it, e.g. for a ResNet-18 variant). Returns ``(net, config)``; with ``dst`` also
    writes a project checkpoint (``ltr.admin.checkpoint``)."""
    from ltr.models.config import build_net

    if arch not in LEGACY_CONFIGS:
        raise ValueError(f"unknown arch {arch!r}; choose one of {', '.join(LEGACY_CONFIGS)}")
    src = Path(src)
    state = convert_state_dict(arch, _extract_state(load_legacy_payload(src), arch, src))
    config = dict(config or LEGACY_CONFIGS[arch])
    if config.get("arch") != arch:
        raise ValueError(f"config arch {config.get('arch')!r} does not match {arch!r}")
    net = build_net({**config, "backbone_weights": "random"})
    config = net.config
    own = net.state_dict()
    for key in own:
        if key.endswith("num_batches_tracked") and key not in state:
            state[key] = torch.zeros((), dtype=torch.long)
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    bad = [k for k in own if k in state and tuple(state[k].shape) != tuple(own[k].shape)]
    if missing or unexpected or bad:
        guess, looks = _guess_layout(state)
        looks = f"its weights look like {looks}; " if looks and guess != arch else ""
        raise DataFormatError(src, f"not an original {arch} checkpoint: {looks}{len(missing)} of the {len(own)} "
                                   f"weights {arch} needs are missing (e.g. {missing[:2]}), {len(unexpected)} are "
                                   f"unexpected (e.g. {unexpected[:2]}), {len(bad)} have another shape "
                                   f"(e.g. {bad[:2]})")
    net.load_state_dict(state, strict=True)
    if dst is not None:
        from ltr.admin.checkpoint import save_checkpoint

        save_checkpoint(dst, net, config, meta={"converted_from": str(src), "legacy_arch": arch})
    return net, config


@cli_main
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Convert an original D3S/CMEDFL/DMB checkpoint (.pth.tar) into "
                                                 "this project's weights_only-safe checkpoint.")
    parser.add_argument("arch", choices=sorted(LEGACY_CONFIGS))
    parser.add_argument("src", help="original checkpoint, e.g. SegmNet_ep0040.pth.tar or recurrent25.pth.tar")
    parser.add_argument("dst", help="output .pth file")
    args = parser.parse_args(argv)
    convert_legacy_checkpoint(args.arch, args.src, args.dst)
    print(f"wrote {args.dst}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
