"""Parameter files of the ``segm`` tracker: ``default_params`` (CMEDFL), ``d3s`` (D3S's fixed reference)."""
