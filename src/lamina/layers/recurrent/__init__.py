"""recurrent layers (filled in by issue 5)."""
