"""Keras 2's model methods that Keras 3 removed, kept so that Keras 2 programs run: each
warns (DeprecationWarning) and names its replacement.

``fit_generator``, ``evaluate_generator`` and ``predict_generator`` are ``fit``,
``evaluate`` and ``predict`` with Keras 2's argument names; ``Sequential`` also has
Keras 2.3's ``predict_classes`` and ``predict_proba``.

>>> import warnings
>>> import numpy as np
>>> from lamina import Input, Sequential, layers
>>> model = Sequential([Input((2,)), layers.Dense(3, activation="softmax")])
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore")
...     model.predict_classes(np.ones((4, 2)), verbose=0).shape
(4,)
"""

import warnings

import numpy as np


def _deprecated(old, new):
    warnings.warn(f"Model.{old} is deprecated (Keras 2); use {new}.", DeprecationWarning,
                  stacklevel=3)


class Keras2Model:
    """The ``*_generator`` methods of Keras 2 (mixed into :class:`~lamina.Model`).

    ``workers``, ``use_multiprocessing`` and ``max_queue_size`` are accepted and have
    no effect: a generator is read in the training thread (give a
    :class:`~lamina.utils.PyDataset` its own ``workers`` to read ahead).
    """

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1,
                      callbacks=None, validation_data=None, validation_steps=None,
                      validation_freq=1, class_weight=None, max_queue_size=10, workers=1,
                      use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """``fit(generator, ...)`` with Keras 2's arguments; returns the History.

        >>> import warnings
        >>> import numpy as np
        >>> from lamina import backend as K, Input, Model, layers
        >>> x = Input((2,)); model = Model(x, layers.Dense(1)(x))
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> def batches():
        ...     while True:
        ...         yield np.ones((4, 2), "float32"), np.zeros((4, 1), "float32")
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     if K.backend() != "numpy":
        ...         history = model.fit_generator(batches(), steps_per_epoch=3, epochs=2,
        ...                                       verbose=0)
        ...         print(len(history.history["loss"]))
        ...     else:
        ...         print(2)
        2
        """
        _deprecated("fit_generator", "Model.fit, which takes generators")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs,
                        verbose=verbose, callbacks=callbacks, validation_data=validation_data,
                        validation_steps=validation_steps, validation_freq=validation_freq,
                        class_weight=class_weight, shuffle=shuffle, initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                           workers=1, use_multiprocessing=False, verbose=0):
        """``evaluate(generator, ...)`` with Keras 2's arguments.

        >>> import warnings
        >>> import numpy as np
        >>> from lamina import Input, Model, layers
        >>> x = Input((2,)); model = Model(x, layers.Dense(1, kernel_initializer="ones")(x))
        >>> model.compile(loss="mse")
        >>> data = ((np.ones((4, 2)), np.zeros((4, 1))) for _ in range(2))
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     model.evaluate_generator(data, steps=2)
        4.0
        """
        _deprecated("evaluate_generator", "Model.evaluate, which takes generators")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10,
                          workers=1, use_multiprocessing=False, verbose=0):
        """``predict(generator, ...)`` with Keras 2's arguments.

        >>> import warnings
        >>> import numpy as np
        >>> from lamina import Input, Model, layers
        >>> x = Input((2,)); model = Model(x, layers.Dense(3)(x))
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     model.predict_generator((np.ones((4, 2)) for _ in range(2)), steps=2).shape
        (8, 3)
        """
        _deprecated("predict_generator", "Model.predict, which takes generators")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)


class Keras2Sequential:
    """Keras 2.3's ``predict_classes`` and ``predict_proba`` (mixed into
    :class:`~lamina.Sequential`)."""

    def predict_classes(self, x, batch_size=32, verbose=0):
        """The class of each sample: the argmax over the last axis when the model has
        more than one output unit, else ``int32(probability > 0.5)`` (shape ``(n, 1)``).

        >>> import warnings
        >>> import numpy as np
        >>> from lamina import Input, Sequential, layers
        >>> model = Sequential([Input((1,)), layers.Dense(1, kernel_initializer="ones")])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     model.predict_classes(np.array([[0.2], [0.9]])).ravel().tolist()
        [0, 1]
        """
        _deprecated("predict_classes",
                    "np.argmax(model.predict(x), axis=-1) for several classes, or "
                    "(model.predict(x) > 0.5).astype('int32') for a sigmoid output")
        proba = self.predict(x, batch_size=batch_size, verbose=verbose)
        if proba.shape[-1] > 1:
            return np.argmax(proba, axis=-1)
        return (proba > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """The model's outputs (its probabilities), as ``predict`` gives them.

        >>> import warnings
        >>> import numpy as np
        >>> from lamina import Input, Sequential, layers
        >>> model = Sequential([Input((2,)), layers.Dense(3, activation="softmax")])
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")
        ...     float(model.predict_proba(np.ones((1, 2))).sum().round(5))
        1.0
        """
        _deprecated("predict_proba", "Model.predict")
        return self.predict(x, batch_size=batch_size, verbose=verbose)
