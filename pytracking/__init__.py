"""pytracking: online trackers (CMEDFL ``segm``, D3S, DMB), dataset adapters, runners and analysis."""
