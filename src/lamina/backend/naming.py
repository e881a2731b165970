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
