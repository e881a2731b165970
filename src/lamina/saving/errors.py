"""The error lamina raises for a file it cannot read.

>>> issubclass(FormatError, ValueError)
True
"""


class FormatError(ValueError):
    """A file that is truncated, corrupted, not a lamina file, or crafted to do harm.
    The message names the file and what is wrong with it."""
