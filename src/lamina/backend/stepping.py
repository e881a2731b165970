"""Step functions: how an engine runs one stateful training, test or predict step.

A step is ordinary stateful Python written with K functions (a model's
``train_step``: forward, ``K.value_and_grad``, ``optimizer.apply``, metric
updates). Each engine's ``compile_step(fn, variables, jit_compile, differentiable)``
turns it into a callable with the same arguments and results:

- JAX: one pure ``jax.jit`` function of the Variables' values and the data; the
  new values are stored back into the Variables after each call (a list of
  reference assignments), so callbacks and ``get_weights`` always see the current
  state and no explicit synchronisation is needed.
- torch: the function itself (run eagerly with autograd); without
  ``differentiable`` it runs under ``torch.no_grad()``; ``jit_compile=True`` wraps
  it in ``torch.compile``.
- NumPy: the function itself.

>>> from lamina import backend as K
>>> v = K.Variable(1.0, trainable=False)
>>> def add(d):
...     v.assign_add(d)
>>> step = K.engine.compile_step(add, [v], jit_compile="auto")
>>> _ = step(K.convert_to_tensor(2.0)); float(v.numpy())
3.0
"""


class EagerStep:
    """A step that runs ``fn`` as it is: the torch and NumPy engines' uncompiled step.

    >>> step = EagerStep(lambda a, b: a + b)
    >>> step(1, 2)
    3
    """

    compiles_per_shape = False  # no program to compile for each new input shape

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args):
        return self.fn(*args)

    @staticmethod
    def fetch(arrays):
        """The step's output arrays ``arrays`` (a list) as NumPy arrays.

        >>> from lamina import backend as K
        >>> EagerStep.fetch([K.ones((2,))])[0].tolist()
        [1.0, 1.0]
        """
        from lamina.backend import convert_to_numpy
        return [convert_to_numpy(a) for a in arrays]
