"""Integration with the official VOT toolkit through the TraX protocol (``python -m pytracking.vot.trax_server``)."""
