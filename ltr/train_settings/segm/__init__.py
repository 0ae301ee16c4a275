"""D3S and CMEDFL recipes (pair mode)."""
