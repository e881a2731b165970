"""Learning-rate schedules (``keras.optimizers.schedules``): objects ``step -> rate``.

An optimizer given a schedule as its ``learning_rate`` evaluates it at its
``iterations`` before each update. Schedules are written with K functions and
no Python branch on the step, so they run on a step traced inside a compiled
JAX train step as well as on an int. Names, arguments and formulas follow
Keras 3.

>>> from lamina.optimizers import schedules
>>> decay = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
>>> [round(float(decay(step)), 4) for step in (0, 10, 20)]
[0.1, 0.05, 0.025]
"""

import math

from lamina import backend as K
from lamina._arguments import is_int, is_number
from lamina._catalogue import Catalogue, Configurable


def _positive(owner, name, value):
    if not is_number(value) or not value > 0:
        raise ValueError(f"{owner}: {name} must be a number > 0. Received {name}={value!r}.")
    return value


def _as_float(step):
    return K.cast(step, K.floatx())


class LearningRateSchedule(Configurable):
    """Base class: subclasses implement ``__call__(self, step)`` returning the rate at
    ``step`` (an int or a scalar tensor) as a scalar tensor; ``get_config()`` returns
    the constructor arguments (captured when the schedule was created, for a subclass
    that does not write its own).

    >>> from lamina import backend as K
    >>> class Halving(LearningRateSchedule):
    ...     def __init__(self, initial_learning_rate=1.0):
    ...         self.initial_learning_rate = initial_learning_rate
    ...     def __call__(self, step):
    ...         return self.initial_learning_rate * K.power(0.5, K.cast(step, "float32"))
    >>> float(Halving()(3)), Halving(0.1).get_config()
    (0.125, {'initial_learning_rate': 0.1})
    """

    def __call__(self, step):
        raise NotImplementedError(f"{type(self).__name__} does not implement __call__(step).")


class ExponentialDecay(LearningRateSchedule):
    """``initial_learning_rate * decay_rate ** (step / decay_steps)``; with ``staircase``
    the exponent is floored (the rate drops every ``decay_steps`` steps).

    >>> schedule = ExponentialDecay(1.0, decay_steps=2, decay_rate=0.5, staircase=True)
    >>> [float(schedule(step)) for step in (0, 1, 2, 3, 4)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="ExponentialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("ExponentialDecay", "decay_steps", decay_steps)
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        exponent = K.divide(_as_float(step), float(self.decay_steps))
        if self.staircase:
            exponent = K.floor(exponent)
        return K.multiply(K.power(K.cast(self.decay_rate, K.floatx()), exponent),
                          float(self.initial_learning_rate))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PiecewiseConstantDecay(LearningRateSchedule):
    """``values[0]`` while ``step <= boundaries[0]``, ``values[1]`` while
    ``step <= boundaries[1]``, ..., ``values[-1]`` after the last boundary.

    >>> schedule = PiecewiseConstantDecay([2, 4], [1.0, 0.5, 0.25])
    >>> [float(schedule(step)) for step in (0, 2, 3, 4, 5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, boundaries, values, name="PiecewiseConstant"):
        boundaries, values = list(boundaries), list(values)
        if len(values) != len(boundaries) + 1:
            raise ValueError(
                f"PiecewiseConstantDecay: values must hold one more entry than boundaries. "
                f"Received boundaries={boundaries} (length {len(boundaries)}) and "
                f"values={values} (length {len(values)}).")
        if any(b >= a for a, b in zip(boundaries[1:], boundaries)):
            raise ValueError(f"PiecewiseConstantDecay: boundaries must increase. Received "
                             f"boundaries={boundaries}.")
        self.boundaries = boundaries
        self.values = values
        self.name = name

    def __call__(self, step):
        step = _as_float(step)
        rate = K.convert_to_tensor(float(self.values[0]), K.floatx())
        for boundary, value in zip(self.boundaries, self.values[1:]):
            rate = K.where(K.greater(step, float(boundary)),
                           K.convert_to_tensor(float(value), K.floatx()), rate)
        return rate

    def get_config(self):
        return {"boundaries": self.boundaries, "values": self.values, "name": self.name}


class InverseTimeDecay(LearningRateSchedule):
    """``initial_learning_rate / (1 + decay_rate * step / decay_steps)``; with
    ``staircase`` the ratio ``step / decay_steps`` is floored.

    >>> schedule = InverseTimeDecay(1.0, decay_steps=1, decay_rate=0.5)
    >>> [float(schedule(step)) for step in (0, 2, 6)]
    [1.0, 0.5, 0.25]
    """

    def __init__(self, initial_learning_rate, decay_steps, decay_rate, staircase=False,
                 name="InverseTimeDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("InverseTimeDecay", "decay_steps", decay_steps)
        self.decay_rate = decay_rate
        self.staircase = staircase
        self.name = name

    def __call__(self, step):
        ratio = K.divide(_as_float(step), float(self.decay_steps))
        if self.staircase:
            ratio = K.floor(ratio)
        return K.divide(K.convert_to_tensor(float(self.initial_learning_rate), K.floatx()),
                        K.add(K.multiply(ratio, float(self.decay_rate)), 1.0))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "decay_rate": self.decay_rate,
                "staircase": self.staircase, "name": self.name}


class PolynomialDecay(LearningRateSchedule):
    """``(initial - end) * (1 - step / decay_steps) ** power + end`` with the step held at
    ``decay_steps``; with ``cycle`` the decay restarts, over the first multiple of
    ``decay_steps`` not below the step.

    >>> schedule = PolynomialDecay(1.0, decay_steps=4, end_learning_rate=0.0)
    >>> [float(schedule(step)) for step in (0, 1, 4, 8)]
    [1.0, 0.75, 0.0, 0.0]
    """

    def __init__(self, initial_learning_rate, decay_steps, end_learning_rate=0.0001, power=1.0,
                 cycle=False, name="PolynomialDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("PolynomialDecay", "decay_steps", decay_steps)
        self.end_learning_rate = end_learning_rate
        self.power = power
        self.cycle = cycle
        self.name = name

    def __call__(self, step):
        step = _as_float(step)
        decay_steps = float(self.decay_steps)
        if self.cycle:
            multiple = K.where(K.equal(step, 0.0), 1.0, K.ceil(K.divide(step, decay_steps)))
            fraction = K.divide(step, K.multiply(multiple, decay_steps))
        else:
            fraction = K.divide(K.minimum(step, decay_steps), decay_steps)
        decayed = K.power(K.subtract(1.0, fraction), float(self.power))
        span = float(self.initial_learning_rate) - float(self.end_learning_rate)
        return K.add(K.multiply(decayed, span), float(self.end_learning_rate))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "end_learning_rate": self.end_learning_rate,
                "power": self.power, "cycle": self.cycle, "name": self.name}


def _cosine(fraction, alpha):
    """``(1 - alpha) * (1 + cos(pi * fraction)) / 2 + alpha``."""
    cosine = K.multiply(K.add(K.cos(K.multiply(fraction, math.pi)), 1.0), 0.5)
    return K.add(K.multiply(cosine, 1.0 - alpha), alpha)


class CosineDecay(LearningRateSchedule):
    """Cosine decay from the initial rate to ``alpha`` times it over ``decay_steps``.

    With ``warmup_target``, the rate first rises linearly from
    ``initial_learning_rate`` to ``warmup_target`` over ``warmup_steps`` steps, then
    decays from ``warmup_target`` to ``alpha * warmup_target`` over ``decay_steps``.

    >>> schedule = CosineDecay(1.0, decay_steps=2)
    >>> [round(float(schedule(step)), 4) for step in (0, 1, 2, 3)]
    [1.0, 0.5, 0.0, 0.0]
    >>> warm = CosineDecay(0.0, decay_steps=2, warmup_target=1.0, warmup_steps=2)
    >>> [round(float(warm(step)), 4) for step in (0, 1, 2, 3, 4)]
    [0.0, 0.5, 1.0, 0.5, 0.0]
    """

    def __init__(self, initial_learning_rate, decay_steps, alpha=0.0, name="CosineDecay",
                 warmup_target=None, warmup_steps=0):
        self.initial_learning_rate = initial_learning_rate
        self.decay_steps = _positive("CosineDecay", "decay_steps", decay_steps)
        self.alpha = alpha
        self.name = name
        self.warmup_target = warmup_target
        if not is_int(warmup_steps) or \
                warmup_steps < 0:
            raise ValueError(f"CosineDecay: warmup_steps must be an int >= 0. Received "
                             f"warmup_steps={warmup_steps!r}.")
        self.warmup_steps = warmup_steps

    def __call__(self, step):
        step = _as_float(step)
        decay_steps = float(self.decay_steps)
        initial = float(self.initial_learning_rate)
        if self.warmup_target is None:
            fraction = K.divide(K.minimum(step, decay_steps), decay_steps)
            return K.multiply(_cosine(fraction, float(self.alpha)), initial)
        target, warmup = float(self.warmup_target), float(self.warmup_steps)
        step = K.minimum(step, decay_steps + warmup)
        warming = K.add(K.multiply(K.divide(step, max(warmup, 1.0)), target - initial), initial)
        decayed = K.multiply(_cosine(K.divide(K.subtract(step, warmup), decay_steps),
                                     float(self.alpha)), target)
        return K.where(K.less(step, warmup), warming, decayed)

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "decay_steps": self.decay_steps, "alpha": self.alpha, "name": self.name,
                "warmup_target": self.warmup_target, "warmup_steps": self.warmup_steps}


class CosineDecayRestarts(LearningRateSchedule):
    """Cosine decay with warm restarts (SGDR): the first period lasts
    ``first_decay_steps``, each next one ``t_mul`` times longer and starting from
    ``m_mul`` times the previous period's initial rate; each period decays to
    ``alpha`` times the initial rate.

    >>> schedule = CosineDecayRestarts(1.0, first_decay_steps=2, t_mul=1.0, m_mul=0.5)
    >>> [round(float(schedule(step)), 4) for step in (0, 1, 2, 3, 4)]
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, initial_learning_rate, first_decay_steps, t_mul=2.0, m_mul=1.0,
                 alpha=0.0, name="SGDRDecay"):
        self.initial_learning_rate = initial_learning_rate
        self.first_decay_steps = _positive("CosineDecayRestarts", "first_decay_steps",
                                           first_decay_steps)
        self.t_mul = _positive("CosineDecayRestarts", "t_mul", t_mul)
        self.m_mul = m_mul
        self.alpha = alpha
        self.name = name

    def __call__(self, step):
        fraction = K.divide(_as_float(step), float(self.first_decay_steps))
        t_mul = float(self.t_mul)
        if t_mul == 1.0:
            restart = K.floor(fraction)
            fraction = K.subtract(fraction, restart)
        else:
            restart = K.floor(K.divide(K.log(K.add(K.multiply(fraction, t_mul - 1.0), 1.0)),
                                       math.log(t_mul)))
            period = K.power(t_mul, restart)
            done = K.divide(K.subtract(1.0, period), 1.0 - t_mul)
            fraction = K.divide(K.subtract(fraction, done), period)
        scale = K.power(K.cast(self.m_mul, K.floatx()), restart)
        cosine = K.multiply(K.add(K.cos(K.multiply(fraction, math.pi)), 1.0), 0.5)
        alpha = float(self.alpha)
        decayed = K.add(K.multiply(K.multiply(cosine, scale), 1.0 - alpha), alpha)
        return K.multiply(decayed, float(self.initial_learning_rate))

    def get_config(self):
        return {"initial_learning_rate": self.initial_learning_rate,
                "first_decay_steps": self.first_decay_steps, "t_mul": self.t_mul,
                "m_mul": self.m_mul, "alpha": self.alpha, "name": self.name}


_CATALOGUE = Catalogue(
    "lamina.optimizers.schedules", "learning-rate schedule",
    {cls.__name__: cls for cls in (ExponentialDecay, PiecewiseConstantDecay, InverseTimeDecay,
                                   PolynomialDecay, CosineDecay, CosineDecayRestarts)},
    accepts="a LearningRateSchedule")


def serialize(learning_rate_schedule):
    """``{"class_name": ..., "config": ...}`` describing the schedule.

    >>> serialize(InverseTimeDecay(0.1, 5, 0.5))["class_name"]
    'InverseTimeDecay'
    """
    return _CATALOGUE.serialize(learning_rate_schedule)


def deserialize(config, custom_objects=None):
    """The schedule that ``serialize`` described (``custom_objects`` maps extra names to
    classes).

    >>> schedule = deserialize(serialize(PolynomialDecay(1.0, 4, 0.0)))
    >>> float(schedule(2))
    0.5
    """
    return _CATALOGUE.deserialize(config, custom_objects)
