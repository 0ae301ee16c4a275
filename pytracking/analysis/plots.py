"""Figures (matplotlib, Agg backend, written atomically as PNG or PDF): success / precision / normalized-precision
curves, per-attribute bars and EAO curves (from ``python -m votTester.analysis ... --json --curve`` output files)."""
from __future__ import annotations

import json
import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from ltr.admin.atomic import atomic_open  # noqa: E402
from ltr.admin.errors import DataFormatError  # noqa: E402
from ltr.admin.textio import read_text

PLOT_FORMATS = ("png", "pdf")

_CURVES = {
    "success": ("iou", "success", "success_auc", "Overlap threshold", "Success rate", "Success plot"),
    "precision": ("center", "precision", "precision_20", "Location error threshold [px]", "Precision",
                  "Precision plot"),
    "norm_precision": ("norm_center", "norm_precision", "norm_precision", "Normalized location error threshold",
                       "Normalized precision", "Normalized precision plot"),
}


def _save(fig, path: Path, fmt: str) -> Path:
    if fmt not in PLOT_FORMATS:
        raise ValueError(f"unknown plot format '{fmt}'; use one of {', '.join(PLOT_FORMATS)}")
    with atomic_open(path, "wb") as f:
        fig.savefig(f, format=fmt, dpi=150, bbox_inches="tight")
    plt.close(fig)
    return path


def plot_ope_curves(reports, out_dir: str | os.PathLike, fmt: str = "png", title_suffix: str = "",
                    colors: dict[str, str] | None = None) -> list[Path]:
    """Success, precision and normalized-precision curves of ``TrackerReport`` s; legend sorted by score;
    ``colors`` {tracker name: matplotlib colour} fixes each tracker's colour (default: matplotlib's cycle)."""
    out_dir = Path(out_dir)
    written = []
    for kind, (thr_key, curve_key, score_key, xlabel, ylabel, title) in _CURVES.items():
        fig, ax = plt.subplots(figsize=(5, 4))
        order = sorted(reports, key=lambda r: -r.report["overall"][score_key])
        for r in order:
            x = r.report["curves"]["thresholds"][thr_key]
            ax.plot(x, r.report["curves"][curve_key], linewidth=2, color=(colors or {}).get(r.name),
                    label=f"{r.name} [{100 * r.report['overall'][score_key]:.1f}]")
        ax.set(xlabel=xlabel, ylabel=ylabel, ylim=(0, 1), title=title + title_suffix)
        ax.grid(True, linestyle="-.")
        ax.legend(loc="lower left" if kind == "success" else "lower right", fontsize=8)
        written.append(_save(fig, out_dir / f"{kind}_plot.{fmt}", fmt))
    return written


def plot_attribute_bars(reports, out_path: str | os.PathLike, metric: str = "success_auc",
                        fmt: str = "png", colors: dict[str, str] | None = None) -> Path:
    """Grouped bars: one group per attribute, one bar per tracker, height = ``metric`` (fraction)."""
    attrs = sorted({a for r in reports for a in r.attributes})
    if not attrs:
        raise ValueError("the sequences carry no attributes; per-attribute bars need a dataset with attributes")
    fig, ax = plt.subplots(figsize=(max(5, 0.6 * len(attrs) * max(1, len(reports))), 4))
    width = 0.8 / max(1, len(reports))
    for k, r in enumerate(reports):
        xs = [i + k * width for i in range(len(attrs))]
        ax.bar(xs, [r.attributes.get(a, {}).get(metric, float("nan")) for a in attrs], width=width, label=r.name,
               color=(colors or {}).get(r.name))
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(attrs))], attrs, rotation=45, ha="right")
    ax.set(ylabel=metric, ylim=(0, 1), title=f"{metric} per attribute")
    ax.legend(fontsize=8)
    return _save(fig, Path(out_path), fmt)


def read_eao_json(path: str | os.PathLike) -> dict:
    """A votTester analysis JSON (``--json --curve``): needs ``eao`` and ``eao_curve``."""
    path = Path(path)
    try:
        data = json.loads(read_text(path))
    except (OSError, json.JSONDecodeError) as exc:
        raise DataFormatError(path, f"not a readable JSON file: {exc}") from exc
    if not isinstance(data, dict) or "eao_curve" not in data or "eao" not in data:
        raise DataFormatError(path, "expected the output of 'python -m votTester.analysis ... --json --curve' "
                                    "(keys 'eao' and 'eao_curve')")
    return data


def plot_eao_curves(results: dict[str, dict], out_path: str | os.PathLike, fmt: str = "png",
                    colors: dict[str, str] | None = None) -> Path:
    """Expected-overlap curves ``{tracker: {"eao", "eao_curve", "eao_interval"?}}``, interval shaded if given."""
    fig, ax = plt.subplots(figsize=(5, 4))
    interval = None
    for name, data in sorted(results.items(), key=lambda kv: -kv[1]["eao"]):
        curve = data["eao_curve"]
        ax.plot(range(len(curve)), curve, linewidth=2, color=(colors or {}).get(name), label=f"{name} [{data['eao']:.3f}]")
        interval = data.get("eao_interval", interval)
    if interval:
        ax.axvspan(interval[0], interval[1], color="0.9")
    ax.set(xlabel="Sequence length", ylabel="Expected overlap", ylim=(0, 1), title="Expected average overlap")
    ax.grid(True, linestyle="-.")
    ax.legend(fontsize=8)
    return _save(fig, Path(out_path), fmt)
