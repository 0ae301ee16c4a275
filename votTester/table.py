"""Plain-text tables of VOT analysis results (one summary block, then one line per sequence)."""
from __future__ import annotations

import math


def _num(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "nan"
    return f"{value:.{digits}f}"


def format_table(result: dict) -> str:
    """The summary (A, R, failures, EAO) and the per-sequence accuracy / failures of an analysis result."""
    low, high = result["eao_interval"]
    lines = [f"VOT {result['protocol']} experiment ({result['variant']} definitions), dataset "
             f"{result.get('dataset', '?')}, {len(result['sequences'])} sequences, {result['frames']} frames"]
    if result["protocol"] == "supervised":
        runs = result["runs"]
        lines.append(f"runs per sequence: {runs[0] if len(runs) == 1 else runs}")
        header = f"{'Accuracy':>9} {'Robustness':>11} {'Failures':>9} {'Fail/100fr':>11} {'EAO':>7}  interval"
        row = (f"{_num(result['accuracy']):>9} {_num(result['robustness']):>11} {_num(result['failures'], 1):>9} "
               f"{_num(result['failure_rate']):>11} {_num(result['eao']):>7}  {low}-{high}")
    else:
        header = f"{'Accuracy':>9} {'Robustness':>11} {'FailedRuns':>11} {'EAO':>7}  interval"
        row = (f"{_num(result['accuracy']):>9} {_num(result['robustness']):>11} {_num(result['failures'], 0):>11} "
               f"{_num(result['eao']):>7}  {low}-{high}")
    lines += [header, row]
    if isinstance(result.get("eao"), float) and math.isnan(result["eao"]):
        lines.append(f"EAO is nan: the sequences are shorter than the interval {low}-{high}; "
                     f"pass --eao-interval LOW HIGH")
    width = max([len(n) for n in result["sequences"]] + [8])
    lines.append("")
    lines.append(f"{'sequence':<{width}} {'accuracy':>9} {'failures':>9}")
    for name, seq in result["sequences"].items():
        lines.append(f"{name:<{width}} {_num(seq['accuracy']):>9} {_num(float(seq['failures']), 2):>9}")
    return "\n".join(lines)
