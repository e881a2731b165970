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

A compile that takes longer than :data:`COMPILE_NOTE_AFTER` seconds is announced:
an engine wraps each compile in :func:`watch_compile`, which calls the listener set
by :func:`listen_to_compiles` (the progress bar of the running ``fit``, ``evaluate``
or ``predict``) with ``"compiling the train step..."``. Nothing runs per step, and
nothing at all without a listener (``verbose=0``).
"""

import contextvars
import threading

# seconds a compile runs before it is announced
COMPILE_NOTE_AFTER = 1.0

_listener = contextvars.ContextVar("lamina_compile_listener", default=None)


def listen_to_compiles(listener):
    """Send the notes of slow compiles to ``listener`` (a function of one string), or
    to nobody (None). A loop's progress bar sets itself when the loop begins and
    None when it ends; each loop starts with None.

    >>> listen_to_compiles(print)
    >>> with watch_compile("train_step"):
    ...     pass  # a compile shorter than COMPILE_NOTE_AFTER: nothing printed
    >>> listen_to_compiles(None)
    """
    _listener.set(listener)


class _NoWatch:
    """A watch with nothing to announce."""

    def stop(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class _Watch(_NoWatch):
    """Calls ``listener(note)`` unless stopped within :data:`COMPILE_NOTE_AFTER` s."""

    def __init__(self, listener, note):
        self._timer = threading.Timer(COMPILE_NOTE_AFTER, listener, (note,))
        self._timer.daemon = True
        self._timer.start()

    def stop(self):
        self._timer.cancel()
        self._timer.join()  # a note being written is finished before the step goes on


def watch_compile(what):
    """A watch over a compile of ``what`` (a step function's name, ``"train_step"``):
    ``stop()`` it when the compile is done; it announces the compile to the listener
    if it is not done within :data:`COMPILE_NOTE_AFTER` seconds. Also a context manager.

    >>> watch_compile("predict_step").stop()  # no listener: nothing to announce
    """
    listener = _listener.get()
    if listener is None:
        return _NoWatch()
    return _Watch(listener, f"compiling the {what.replace('_', ' ')}...")


def step_owner(fn):
    """How errors name the owner of a step function: ``"Model 'name'"`` for a model's
    bound ``train_step``/``test_step``/``predict_step``, else ``"the step"``.

    >>> step_owner(lambda batch: batch)
    'the step'
    """
    owner = getattr(fn, "__self__", None)
    return f"Model {owner.name!r}" if hasattr(owner, "name") else "the step"


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
