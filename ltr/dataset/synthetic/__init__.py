"""Deterministic synthetic tracking / VOS datasets written in the exact on-disk layouts of the real benchmarks
(YouTube-VOS, DAVIS, VOT2016-2020, GOT-10k, LaSOT, TrackingNet, OTB), so the real loaders read them.

``generate(fmt, out, sequences=2, frames=20, seed=0, style="procedural" | "photo", photos="auto", size=(W, H), ...)``;
``write_contact_sheet(path, out_png)``.
See ``docs/synthetic.md``.
"""
from ltr.dataset.synthetic.generate import DEFAULT_SIZES, FORMATS, generate

__all__ = ["DEFAULT_SIZES", "FORMATS", "generate", "write_contact_sheet"]


def __getattr__(name):
    # Imported on first use, so that ``python -m ltr.dataset.synthetic.contact_sheet`` runs the module only once.
    if name == "write_contact_sheet":
        from ltr.dataset.synthetic.contact_sheet import write_contact_sheet

        return write_contact_sheet
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
