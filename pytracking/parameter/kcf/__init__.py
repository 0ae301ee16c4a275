"""Parameter files of the classical OpenCV baseline ``kcf`` (fields: :class:`pytracking.parameter.opencv.KCFParams`)."""
