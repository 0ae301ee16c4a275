"""Parameter files of the ``segm`` tracker: ``default_params`` (CMEDFL), ``d3s`` (D3S's fixed reference), both for
the shipped 128 px tiny nets; ``paper_params`` / ``d3s_paper`` (full size, the originals' default values) and
``original_params`` / ``d3s_original`` (every option reproducing the original code, docs/fidelity.md)."""
