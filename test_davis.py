"""Run a tracker on DAVIS and score it (J, F, J&F). Thin wrapper over :mod:`pytracking.analysis.davis_cli`.

    python test_davis.py --dataset DAVIS2017|DAVIS2016 [--tracker NAME --params PARAM] [--results DIR] [--json]
"""
from pytracking.analysis.davis_cli import main

if __name__ == "__main__":
    raise SystemExit(main())
