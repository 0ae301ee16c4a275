"""Shared pytest fixtures.

``one_torch_thread`` (automatic): the suite runs on 2-core machines, usually as two xdist workers, on tiny nets and
tensors; one intra-op thread per process avoids oversubscription (restored at the end of the session).

``make_synthetic(fmt, sequences=2, frames=20, seed=0, **opts) -> Path``: a synthetic dataset in the real on-disk
layout of ``fmt`` (see ``ltr.dataset.synthetic.generate``), generated once per argument set and session and shared
between tests. Treat it as read-only: copy it (``shutil.copytree``) before changing files in it.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from ltr.dataset.synthetic import generate


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread():
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


def _cache_key(fmt, sequences, frames, seed, opts) -> tuple:
    items = []
    for key, value in sorted(opts.items()):
        items.append((key, tuple(value) if isinstance(value, list) else value))
    return (fmt, int(sequences), int(frames), int(seed), tuple(items))


@pytest.fixture(scope="session")
def make_synthetic(tmp_path_factory):
    """Factory fixture: ``root = make_synthetic("vot", sequences=2, frames=20, seed=0, size=(160, 120))``."""
    cache: dict[tuple, Path] = {}

    def _make(fmt: str, sequences: int = 2, frames: int = 20, seed: int = 0, **opts) -> Path:
        key = _cache_key(fmt, sequences, frames, seed, opts)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"synthetic-{fmt}")
            cache[key] = generate(fmt, out, sequences=sequences, frames=frames, seed=seed, **opts)
        return cache[key]

    return _make
