"""Error types that name the offending file (and line) and say what was expected."""
from __future__ import annotations

import os


class DataFormatError(ValueError):
    """Input data (a frame, a ground-truth file, an annotation PNG, a result file) is missing or malformed.

    The message always starts with the file and, where it applies, the 1-based line number::

        /data/vot2018/ants1/groundtruth.txt:17: expected 4 or 8 comma-separated numbers, got 3 ('1,2,3')
    """

    def __init__(self, path: str | os.PathLike, message: str | None = None, line: int | None = None):
        if message is None:  # rebuilt from its text alone (pickling, a DataLoader worker re-raising it)
            self.path, self.line, self.reason = "", None, str(path)
            super().__init__(str(path))
            return
        self.path = str(path)
        self.line = line
        self.reason = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):
        return DataFormatError, (self.path, self.reason, self.line) if self.path else (self.reason,)
