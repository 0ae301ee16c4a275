"""ltr: learning tracking representations (datasets, data pipeline, networks, actors, trainer).

The lowest layer of the framework: path settings, region geometry, image IO and crops live here and are imported by
``pytracking`` and ``votTester``, never the other way round.
"""
