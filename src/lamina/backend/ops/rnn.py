"""Fused recurrent kernels (LSTM, GRU) as K functions (issue 5)."""
