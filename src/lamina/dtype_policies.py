"""Dtype policies: the dtype a layer keeps its variables in and computes in.

lamina runs the float policies, ``"float16"``, ``"bfloat16"``, ``"float32"`` and
``"float64"`` (variables and computations in that dtype); the mixed precision
policies (``"mixed_float16"``, ``"mixed_bfloat16"``) raise NotImplementedError.
``lamina.config.set_dtype_policy`` sets the policy of the layers created afterwards.

>>> from lamina.dtype_policies import DTypePolicy
>>> policy = DTypePolicy("float64")
>>> policy.name, policy.compute_dtype, policy.variable_dtype
('float64', 'float64', 'float64')
"""

from lamina.backend import config as _config


class DTypePolicy:
    """A float dtype policy: ``DTypePolicy(name=None)``; None means ``floatx()``.

    >>> DTypePolicy("bfloat16")
    <DTypePolicy "bfloat16">
    >>> DTypePolicy().name
    'float32'
    """

    def __init__(self, name=None):
        if name is None:
            name = _config.floatx()
        if not isinstance(name, str):
            raise TypeError(f"DTypePolicy: `name` must be a string such as 'float32'; "
                            f"received {name!r}.")
        self._name = _config.check_dtype_policy_name(name, where="DTypePolicy")

    @property
    def name(self):
        return self._name

    @property
    def compute_dtype(self):
        """The dtype of the layer's computations (its inputs are cast to it)."""
        return self._name

    @property
    def variable_dtype(self):
        """The dtype of the layer's variables."""
        return self._name

    def get_config(self):
        return {"name": self._name}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __eq__(self, other):
        return isinstance(other, DTypePolicy) and other.name == self.name

    def __hash__(self):
        return hash(self._name)

    def __repr__(self):
        return f'<DTypePolicy "{self._name}">'


def get(identifier):
    """A DTypePolicy from a policy, a name, or None (the current default policy).

    >>> get("float16").compute_dtype
    'float16'
    """
    if isinstance(identifier, DTypePolicy):
        return identifier
    if identifier is None:
        return DTypePolicy(_config.dtype_policy_name())
    return DTypePolicy(identifier)
