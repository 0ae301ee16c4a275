"""Parameter files of the ``fixedbox`` baseline."""
