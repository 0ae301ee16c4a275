"""Parameter files of the ``dmb`` tracker."""
