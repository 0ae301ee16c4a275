"""DMB recipes (recurrent 3-frame sequence mode)."""
