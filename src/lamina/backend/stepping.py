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
an engine wraps each compile in :func:`watch_compile`, which calls the listener of
the running ``fit``, ``evaluate`` or ``predict`` (its progress bar, see
:func:`compile_notes`) with ``"compiling the train step..."``. Nothing runs per
step, and nothing at all without a listener (``verbose=0``).
"""

import contextlib
import contextvars
import threading

# seconds a compile runs before it is announced
COMPILE_NOTE_AFTER = 1.0

# the listener slot of the loop running now: a one-element list (None: no loop)
_listeners = contextvars.ContextVar("lamina_compile_listeners", default=None)


@contextlib.contextmanager
def compile_notes():
    """A block (a ``fit``, ``evaluate`` or ``predict``) whose compiles are announced to
    the listener :func:`listen_to_compiles` sets inside it (none: not announced).

    >>> with compile_notes():
    ...     listen_to_compiles(print)
    ...     with watch_compile("train_step"):
    ...         pass  # a compile shorter than COMPILE_NOTE_AFTER: nothing printed
    """
    token = _listeners.set([None])
    try:
        yield
    finally:
        _listeners.reset(token)


def listen_to_compiles(listener):
    """Send the notes of the enclosing :func:`compile_notes` block to ``listener`` (a
    function of one string); does nothing outside such a block."""
    slot = _listeners.get()
    if slot is not None:
        slot[0] = listener


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
    ``stop()`` it when the compile is done; it announces the compile to the running
    loop's listener if it is not done within :data:`COMPILE_NOTE_AFTER` seconds. Also a
    context manager.

    >>> watch_compile("predict_step").stop()  # outside a loop: nothing to announce
    """
    slot = _listeners.get()
    if slot is None or slot[0] is None:
        return _NoWatch()
    return _Watch(slot[0], f"compiling the {what.replace('_', ' ')}...")


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
