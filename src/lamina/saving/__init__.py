"""Saving and loading models, weights and training state (issue 6)."""
