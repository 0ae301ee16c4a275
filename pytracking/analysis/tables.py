"""Tables of OPE / DAVIS scores as pandas DataFrames, rendered as markdown, CSV or LaTeX."""
from __future__ import annotations

import pandas as pd

from pytracking.analysis.ope_metrics import METRIC_KEYS

COLUMN_NAMES = {"success_auc": "AUC", "precision_20": "Prec@20", "norm_precision": "NormPrec", "ao": "AO",
                "sr50": "SR0.5", "sr75": "SR0.75"}
FORMATS = ("markdown", "csv", "latex")


def ope_table(reports, percent: bool = True) -> pd.DataFrame:
    """One row per tracker (``TrackerReport``): the six headline scores (in % when ``percent``), the run count and,
    where ``<seq>_time.txt`` files exist, the speed in frames per second."""
    rows = []
    for r in reports:
        row = {"tracker": r.name}
        for key in METRIC_KEYS:
            value = r.report["overall"][key]
            row[COLUMN_NAMES[key]] = 100.0 * value if percent else value
        row["runs"] = r.report.get("runs", 1)
        if r.report.get("fps") is not None:
            row["FPS"] = r.report["fps"]
        rows.append(row)
    return pd.DataFrame(rows).set_index("tracker")


def sequence_table(report, percent: bool = True) -> pd.DataFrame:
    """One row per sequence of one tracker's report."""
    scale = 100.0 if percent else 1.0
    return pd.DataFrame({seq: {COLUMN_NAMES[k]: scale * v[k] for k in METRIC_KEYS}
                         for seq, v in report.report["sequences"].items()}).T.rename_axis("sequence")


def attribute_table(reports, metric: str = "success_auc", percent: bool = True) -> pd.DataFrame:
    """Rows = attributes, columns = trackers, values = ``metric`` on the sequences having the attribute."""
    scale = 100.0 if percent else 1.0
    data = {r.name: {a: scale * v[metric] for a, v in r.attributes.items()} for r in reports}
    return pd.DataFrame(data).rename_axis("attribute")


def _markdown(df: pd.DataFrame, digits: int) -> str:
    index_name = df.index.name or ""
    header = [index_name] + [str(c) for c in df.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(["---"] + ["---:"] * len(df.columns)) + "|"]
    for idx, *values in df.itertuples(name=None):
        cells = [str(idx)] + [f"{v:.{digits}f}" if isinstance(v, float) else str(v) for v in values]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render(df: pd.DataFrame, fmt: str = "markdown", digits: int = 1) -> str:
    """Render a table as ``markdown``, ``csv`` or ``latex`` (numbers with ``digits`` decimals)."""
    if fmt == "markdown":
        return _markdown(df, digits)
    if fmt == "csv":
        return df.to_csv(float_format=f"%.{digits}f")
    if fmt == "latex":
        return df.to_latex(float_format=f"%.{digits}f")
    raise ValueError(f"unknown table format '{fmt}'; use one of {', '.join(FORMATS)}")
