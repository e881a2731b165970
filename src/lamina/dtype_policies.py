"""Dtype policies: the dtype a layer keeps its variables in and computes in.

A float policy (``"float16"``, ``"bfloat16"``, ``"float32"``, ``"float64"``) keeps
variables and computations in that dtype. A mixed precision policy keeps variables
in float32 and computes in the low precision: ``"mixed_float16"`` (trained with a
:class:`~lamina.optimizers.LossScaleOptimizer`, which ``compile`` adds) and
``"mixed_bfloat16"``. ``lamina.config.set_dtype_policy`` sets the policy of the
layers created afterwards; a layer's ``dtype=`` argument takes a policy or its name.

>>> from lamina.dtype_policies import DTypePolicy
>>> policy = DTypePolicy("mixed_bfloat16")
>>> policy.name, policy.compute_dtype, policy.variable_dtype
('mixed_bfloat16', 'bfloat16', 'float32')
"""

from lamina.backend import config as _config
from lamina.backend import dtypes as _dtypes

_KERAS_CLASS_NAMES = ("DTypePolicy", "FloatDTypePolicy", "Policy")


class DTypePolicy:
    """A dtype policy: ``DTypePolicy(name=None)``; None means ``floatx()``.

    ``name`` is a float dtype, ``"mixed_float16"`` or ``"mixed_bfloat16"`` (or, for
    layers that do not compute in floats, any dtype such as ``"int64"``).

    >>> DTypePolicy("bfloat16")
    <DTypePolicy "bfloat16">
    >>> DTypePolicy().name
    'float32'
    >>> DTypePolicy("mixed_float16").compute_dtype
    'float16'
    """

    def __init__(self, name=None):
        if name is None:
            name = _config.floatx()
        if not isinstance(name, str):
            raise TypeError(f"DTypePolicy: `name` must be a string such as 'float32' or "
                            f"'mixed_float16'; received {name!r}.")
        if name in _config.MIXED_POLICIES:
            compute, variable = name[len("mixed_"):], "float32"
        else:
            try:
                name = _dtypes.standardize_dtype(name)
            except (TypeError, ValueError):
                _config.check_dtype_policy_name(name, where="DTypePolicy")  # raises
            compute = variable = name
        self._name, self._compute_dtype, self._variable_dtype = name, compute, variable

    @property
    def name(self):
        """The policy's name (``"float32"``, ``"mixed_float16"``, ...)."""
        return self._name

    @property
    def compute_dtype(self):
        """The dtype of the layer's computations (its floating inputs are cast to it)."""
        return self._compute_dtype

    @property
    def variable_dtype(self):
        """The dtype of the layer's variables."""
        return self._variable_dtype

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


FloatDTypePolicy = DTypePolicy  # Keras 3's earlier name of a float or mixed policy


def serialize(policy):
    """``{"class_name": "DTypePolicy", "config": {"name": ...}}`` describing ``policy``.

    >>> serialize(DTypePolicy("mixed_float16"))
    {'class_name': 'DTypePolicy', 'config': {'name': 'mixed_float16'}}
    """
    return {"class_name": "DTypePolicy", "config": get(policy).get_config()}


def deserialize(config):
    """The policy that ``serialize`` (or Keras, as ``DTypePolicy``, ``FloatDTypePolicy``
    or Keras 2's ``Policy``) described.

    >>> deserialize({"class_name": "Policy", "config": {"name": "mixed_bfloat16"}})
    <DTypePolicy "mixed_bfloat16">
    """
    if not isinstance(config, dict) or config.get("class_name") not in _KERAS_CLASS_NAMES or \
            not isinstance(config.get("config"), dict) or "name" not in config["config"]:
        raise ValueError(f"lamina.dtype_policies.deserialize: expected "
                         f"{{'class_name': 'DTypePolicy', 'config': {{'name': ...}}}}; "
                         f"received {config!r:.120}.")
    return DTypePolicy(config["config"]["name"])


def get(identifier):
    """A DTypePolicy from a policy, a name, a dtype object, a ``serialize`` dict, or
    None (the current default policy).

    >>> get("float16").compute_dtype, get("mixed_float16").variable_dtype
    ('float16', 'float32')
    """
    if isinstance(identifier, DTypePolicy):
        return identifier
    if identifier is None:
        return DTypePolicy(_config.dtype_policy_name())
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if not isinstance(identifier, str):
        try:
            identifier = _dtypes.standardize_dtype(identifier)
        except (TypeError, ValueError):
            raise TypeError(f"dtype: expected a DTypePolicy, a policy name such as "
                            f"'mixed_float16' or a dtype; received {identifier!r}.") from None
    return DTypePolicy(identifier)
