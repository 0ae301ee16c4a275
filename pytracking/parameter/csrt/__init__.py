"""Parameter files of the classical OpenCV baseline ``csrt`` (fields: :class:`pytracking.parameter.opencv.CSRTParams`)."""
