"""Fused recurrent kernels on this engine (issue 5)."""
