"""lamina's version: the one place it is written (pyproject.toml reads it from here).

>>> import lamina
>>> lamina.version() == lamina.__version__
True
"""

__version__ = "0.1.0"


def version():
    """lamina's version string (Keras's ``keras.version()``).

    >>> import lamina
    >>> lamina.version().count(".") >= 1
    True
    """
    return __version__
