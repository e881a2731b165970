"""Keras 2 backend names for recurrence, convolution, pooling and gradients
(``K.rnn``, ``K.conv2d``, ``K.pool2d``, ``K.gradients``), written with the K catalogue.

Part of :mod:`lamina.backend.ops.keras2`, split out to keep modules short.

>>> from lamina import backend as K
>>> K.int_shape(K.conv2d(K.Input((8, 8, 3)), K.ones((3, 3, 3, 4))))
(None, 6, 6, 4)
"""

from lamina.backend import config as _config
from lamina.backend import symbolic as _symbolic
from lamina.backend import tree as _tree
from lamina.backend.dispatch import describe as _describe
from lamina.backend.ops import arrays as _arrays
from lamina.backend.ops import core as _core
from lamina.backend.ops import gradients as _gradients
from lamina.backend.ops import math as _math
from lamina.backend.ops import nn as _nn


def _has_symbolic(structure):
    return _tree.any_leaf(lambda v: isinstance(v, _symbolic.SymbolicTensor), structure)


def _int_shape(x):
    return tuple(x.shape)


def _data_format(data_format, name):
    data_format = _config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"{name}: data_format must be 'channels_first' or 'channels_last'; "
                         f"received {data_format!r}.")
    return data_format


def _mask_to(mask_t, like):
    rank = _core.ndim(like)
    return _arrays.reshape(mask_t, (-1,) + (1,) * (rank - 1)) if rank > 1 else mask_t


def rnn(step_function, inputs, initial_states, go_backwards=False, mask=None, constants=None,
        unroll=False, input_length=None, time_major=False, zero_output_for_mask=False,
        return_all_outputs=True):
    """Iterate ``step_function`` over the time axis of ``inputs`` (Keras 2).

    ``step_function(input_t, states + constants)`` returns ``(output_t, new_states)``;
    ``inputs`` is (samples, time, ...) or, with ``time_major``, (time, samples, ...). With a
    ``mask`` (samples, time), a masked step keeps the previous states and repeats the
    previous output (zeros with ``zero_output_for_mask``). ``go_backwards`` iterates from the
    end, and the outputs come in that order. Returns ``(last_output, outputs, new_states)``;
    ``outputs`` has one step only when ``return_all_outputs`` is False. Runs as one
    ``K.scan`` (traceable on JAX), fully unrolled with ``unroll`` (one copy of the step per
    time step in a compiled program: longer to compile, often faster to run for short
    sequences); ``input_length`` is accepted and unused.

    >>> from lamina import backend as K
    >>> last, outputs, states = K.rnn(lambda x, s: (x + s[0], [x + s[0]]),
    ...                               K.ones((2, 3, 4)), [K.zeros((2, 4))])
    >>> K.convert_to_numpy(last)[0].tolist(), K.int_shape(outputs)
    ([3.0, 3.0, 3.0, 3.0], (2, 3, 4))
    """
    initial_states = list(initial_states)
    constants = list(constants or [])
    if _has_symbolic((inputs, initial_states, mask, constants)):
        return _symbolic.record(
            lambda i, s, m, c: rnn(step_function, i, s, go_backwards, m, c, unroll, input_length,
                                   time_major, zero_output_for_mask, return_all_outputs),
            (inputs, initial_states, mask, constants), {}, name="rnn")
    if _core.ndim(inputs) < 3:
        raise ValueError(f"rnn: inputs must have at least 3 dimensions (samples, time, ...); "
                         f"received shape {_int_shape(inputs)}.")
    if not time_major:
        inputs = _arrays.swapaxes(inputs, 0, 1)
    if mask is not None:
        if _core.dtype(mask) != "bool":
            mask = _core.cast(mask, "bool")
        if _core.ndim(mask) == 3:
            mask = mask[..., 0]
        if not time_major:
            mask = _arrays.swapaxes(mask, 0, 1)
    if go_backwards:
        inputs = _arrays.flip(inputs, 0)
        mask = None if mask is None else _arrays.flip(mask, 0)

    def call(x_t, states, consts):
        output, new_states = step_function(x_t, list(states) + list(consts))
        return output, list(new_states)

    if mask is None:
        def step(carry, x_t):
            states, consts = carry
            output, new_states = call(x_t, states, consts)
            return (new_states, consts), output
        (states, _), outputs = _core.scan(step, (initial_states, constants), inputs,
                                          unroll=bool(unroll))
    else:
        first_output, _ = call(inputs[0], initial_states, constants)

        def step(carry, xs):
            states, previous, consts = carry
            x_t, mask_t = xs
            output, new_states = call(x_t, states, consts)
            fallback = _arrays.zeros_like(output) if zero_output_for_mask else previous
            output = _math.where(_mask_to(mask_t, output), output, fallback)
            new_states = [_math.where(_mask_to(mask_t, n), n, s)
                          for n, s in zip(new_states, states)]
            return (new_states, output, consts), output
        (states, _, _), outputs = _core.scan(
            step, (initial_states, _arrays.zeros_like(first_output), constants), (inputs, mask),
            unroll=bool(unroll))
    last_output = outputs[-1]
    if not return_all_outputs:
        outputs = _arrays.expand_dims(last_output, 0)
    if not time_major:
        outputs = _arrays.swapaxes(outputs, 0, 1)
    return last_output, outputs, list(states)


# -- random ----------------------------------------------------------------------------

# -- neural-network functions -------------------------------------------------------------

def _conv(x, kernel, strides, padding, data_format, dilation_rate, name):
    data_format = _data_format(data_format, name)
    if padding not in ("valid", "same"):
        raise ValueError(f"{name}: padding must be 'valid' or 'same'; received {padding!r}.")
    return _nn.conv(x, kernel, strides=strides, padding=padding, data_format=data_format,
                    dilation_rate=dilation_rate)


def conv1d(x, kernel, strides=1, padding="valid", data_format=None, dilation_rate=1):
    """1-D convolution; ``kernel`` is (width, in, out); ``padding`` also accepts
    ``'causal'`` (left padding, so no output sees a later step).

    >>> from lamina import backend as K
    >>> K.int_shape(K.conv1d(K.Input((10, 3)), K.ones((3, 3, 8)), padding="causal"))
    (None, 10, 8)
    """
    if padding == "causal":
        data_format = _data_format(data_format, "conv1d")
        rate = dilation_rate[0] if isinstance(dilation_rate, (list, tuple)) else dilation_rate
        left = rate * (_int_shape(kernel)[0] - 1)
        pad = [(0, 0), (0, 0), (0, 0)]
        pad[2 if data_format == "channels_first" else 1] = (left, 0)
        x, padding = _arrays.pad(x, pad), "valid"
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, "conv1d")


def conv2d(x, kernel, strides=(1, 1), padding="valid", data_format=None, dilation_rate=(1, 1)):
    """2-D convolution; ``kernel`` is (height, width, in, out).

    >>> from lamina import backend as K
    >>> K.int_shape(K.conv2d(K.Input((8, 8, 3)), K.ones((3, 3, 3, 4)), padding="same"))
    (None, 8, 8, 4)
    """
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, "conv2d")


def conv3d(x, kernel, strides=(1, 1, 1), padding="valid", data_format=None,
           dilation_rate=(1, 1, 1)):
    """3-D convolution; ``kernel`` is (depth, height, width, in, out).

    >>> from lamina import backend as K
    >>> K.int_shape(K.conv3d(K.Input((4, 4, 4, 2)), K.ones((2, 2, 2, 2, 5))))
    (None, 3, 3, 3, 5)
    """
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, "conv3d")


def _pool(x, pool_size, strides, padding, data_format, pool_mode, name):
    data_format = _data_format(data_format, name)
    if padding not in ("valid", "same"):
        raise ValueError(f"{name}: padding must be 'valid' or 'same'; received {padding!r}.")
    if pool_mode == "max":
        pool = _nn.max_pool
    elif pool_mode == "avg":
        pool = _nn.average_pool
    else:
        raise ValueError(f"{name}: pool_mode must be 'max' or 'avg'; received {pool_mode!r}.")
    return pool(x, pool_size, strides=strides, padding=padding, data_format=data_format)


def pool2d(x, pool_size, strides=(1, 1), padding="valid", data_format=None, pool_mode="max"):
    """2-D max (``pool_mode='max'``) or average (``'avg'``) pooling.

    >>> from lamina import backend as K
    >>> K.int_shape(K.pool2d(K.Input((8, 8, 3)), (2, 2), strides=(2, 2)))
    (None, 4, 4, 3)
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, "pool2d")


def pool3d(x, pool_size, strides=(1, 1, 1), padding="valid", data_format=None, pool_mode="max"):
    """3-D max (``pool_mode='max'``) or average (``'avg'``) pooling.

    >>> from lamina import backend as K
    >>> K.int_shape(K.pool3d(K.Input((4, 4, 4, 1)), (2, 2, 2), (2, 2, 2), pool_mode="avg"))
    (None, 2, 2, 2, 1)
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, "pool3d")


# -- gradients -------------------------------------------------------------------------------

def gradients(loss, variables):
    """The gradients of ``loss`` with respect to ``variables`` (a list of Variables, or
    one; with a symbolic loss also the model inputs it starts from), as a list. ``loss`` is a zero-argument callable returning the loss, or a symbolic loss built
    from model inputs and weights (then the gradients are symbolic tensors fed by the same
    inputs, as in Keras 2). In a symbolic loss the Variables that count are those the graph
    reads (arguments of K functions applied to symbolic tensors, a layer's weights); an
    expression of Variables alone is computed at once and is a constant of the graph. A
    non-scalar loss is summed. NumPy has no autodiff: there this raises the engine's error.

    >>> from lamina import backend as K
    >>> w = K.variable([1.0, 2.0])
    >>> if K.backend() != "numpy":
    ...     print(K.convert_to_numpy(K.gradients(lambda: K.sum(w * w), [w])[0]).tolist())
    ... else:
    ...     print([2.0, 4.0])
    [2.0, 4.0]
    """
    variables = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    if isinstance(loss, _symbolic.SymbolicTensor):
        inputs = _symbolic.graph_inputs(loss)
        _check_differentiable_inputs(variables, inputs)

        def compute(*values):
            feed = dict(zip(inputs, values))
            return _gradients_fed(loss, feed, variables)
        if not inputs:
            return compute()
        return list(_symbolic.record(compute, tuple(inputs), {}, name="gradients"))
    if not callable(loss):
        raise TypeError(f"gradients: `loss` must be a zero-argument callable returning the "
                        f"loss, or a symbolic loss; received {_describe(loss)}. A loss "
                        f"already computed has no graph left to differentiate: pass "
                        f"`lambda: <the expression>` instead.")
    return list(_gradients.grad(lambda _: _math.sum(loss()))(variables))


def _check_differentiable_inputs(variables, inputs):
    for v in variables:
        if isinstance(v, _symbolic.SymbolicTensor) and not any(v is i for i in inputs):
            raise ValueError(f"gradients: a symbolic tensor among `variables` must be an input "
                             f"of the graph that computes the loss (a model's `input`); "
                             f"received {_describe(v)}, which the loss does not start from.")


def _gradients_fed(loss, feed, variables):
    """The gradients of the symbolic ``loss`` evaluated on ``feed``: with respect to the
    Variables in ``variables`` and to the values fed to its symbolic inputs there (Keras
    2's ``K.gradients(loss, model.input)``), in the order of ``variables``."""
    inputs = [v for v in variables if isinstance(v, _symbolic.SymbolicTensor)]
    weights = [v for v in variables if not isinstance(v, _symbolic.SymbolicTensor)]
    found = {}
    if weights:
        grads = gradients(lambda: _symbolic.evaluate(loss, feed), weights)
        found.update((id(w), g) for w, g in zip(weights, grads))
    if inputs:
        def of_inputs(values):
            return _math.sum(_symbolic.evaluate(loss, {**feed, **dict(zip(inputs, values))}))
        grads = _gradients.grad(of_inputs)([feed[i] for i in inputs])
        found.update((id(i), g) for i, g in zip(inputs, grads))
    return [found[id(v)] for v in variables]


__all__ = ['rnn', 'conv1d', 'conv2d', 'conv3d', 'pool2d', 'pool3d', 'gradients']
