"""Utilities around results: packers for the GOT-10k and TrackingNet evaluation servers."""
