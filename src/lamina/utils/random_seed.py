"""``set_random_seed``: one call that makes a run repeatable on every engine."""

from lamina._arguments import is_int


def set_random_seed(seed):
    """Seed Python's ``random``, NumPy, the engine and lamina's global random stream.

    After it, K random functions called with ``seed=None`` (dropout masks, weight
    initializers) give the same numbers in the same order on each run.

    >>> from lamina import backend as K
    >>> from lamina.utils import set_random_seed
    >>> set_random_seed(7); a = K.convert_to_numpy(K.random_normal((3,)))
    >>> set_random_seed(7); b = K.convert_to_numpy(K.random_normal((3,)))
    >>> bool((a == b).all())
    True
    """
    if not is_int(seed):
        raise TypeError(f"set_random_seed: seed must be an int; received {seed!r}.")
    seed = int(seed)
    from lamina.backend.ops import random
    random.set_seed(seed)
