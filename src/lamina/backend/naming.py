"""Unique, readable names for layers, inputs and graph nodes: ``dense``, ``dense_1``, ...

>>> base = "naming_doctest"
>>> unique_name(base), unique_name(base)
('naming_doctest', 'naming_doctest_1')
"""

_counters = {}


def unique_name(base):
    """``base`` the first time, then ``base_1``, ``base_2``, ... (reset by ``K.clear_session``)."""
    count = _counters.get(base, 0)
    _counters[base] = count + 1
    return base if count == 0 else f"{base}_{count}"


def reset():
    """Forget the names handed out."""
    _counters.clear()


def get_uid(prefix=""):
    """The next number for ``prefix``: 1 the first time, then 2, 3, ... (Keras's
    ``backend.get_uid``; the counters are those of layer names, reset by
    ``K.clear_session``).

    >>> from lamina import backend as K
    >>> K.get_uid("get_uid_doctest"), K.get_uid("get_uid_doctest")
    (1, 2)
    """
    _counters[prefix] = _counters.get(prefix, 0) + 1
    return _counters[prefix]
