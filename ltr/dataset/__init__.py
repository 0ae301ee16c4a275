"""Datasets: training-set adapters (one object per sequence) and the synthetic benchmark generators."""
