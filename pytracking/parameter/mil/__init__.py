"""Parameter files of the classical OpenCV baseline ``mil`` (fields: :class:`pytracking.parameter.opencv.MILParams`)."""
