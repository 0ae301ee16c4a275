"""votTester: the VOT supervised (reset-based) and VOT2020 anchor-based experiments with A/R/EAO."""
