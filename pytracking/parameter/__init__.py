"""Tracker parameter files: ``pytracking/parameter/<tracker>/<param>.py`` each define ``parameters() -> dataclass``
(subclass of :class:`pytracking.parameter.base.TrackerParams`)."""
