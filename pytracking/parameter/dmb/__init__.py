"""Parameter files of the ``dmb`` tracker: ``default_params`` (shipped tiny net), ``paper_params`` (full size, the
original's default values), ``original_params`` (every option reproducing the original code, docs/fidelity.md)."""
