"""Shipped network checkpoints (package data): see README.md in this folder."""
