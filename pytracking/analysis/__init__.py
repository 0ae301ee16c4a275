"""Evaluation and reports: OPE metrics in the official and pytracking conventions (``ope_metrics``), DAVIS J/F
(``davis_metrics``, ``davis_evaluation``), the per-object VOS runner behind ``test_davis.py`` (``vos_runner``,
``davis_cli``), tables and plots; command line: ``python -m pytracking.analysis``. See docs/evaluation.md."""
