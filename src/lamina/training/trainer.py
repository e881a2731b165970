"""Trainer: ``compile`` and the steps behind ``fit``, ``evaluate`` and ``predict``.

The steps are written once with K functions: ``train_step`` runs the training
graph inside ``K.value_and_grad``, applies the optimizer and updates the metrics.
Each engine then compiles the step its own way (``K.engine.compile_step``): on JAX
one pure ``jax.jit`` function of every Variable, on torch eager autograd. A
``train_step`` override written with K functions runs on both.

>>> import numpy as np
>>> from lamina import Input, Model, layers
>>> x = Input((3,)); model = Model(x, layers.Dense(1)(x))
>>> model.compile(optimizer="sgd", loss="mse")
>>> loss = model.test_on_batch(np.ones((4, 3), "float32"), np.zeros((4, 1), "float32"))
>>> isinstance(loss, float)
True
"""

import collections
import collections.abc
import contextlib
import contextvars

from lamina import backend as K
from lamina._arguments import positive_int
from lamina.backend import tree
from lamina.backend.symbolic import SymbolicTensor
from lamina.distribution import hooks as distributed
from lamina.layers.layer import _unique
from lamina.metrics.base import Metric
from lamina.optimizers.base import Optimizer
from lamina.training import data_adapters, predicting, step_cache
from lamina.training.compile_utils import CompiledLoss, CompiledMetrics, LossTracker
from lamina.training.graph import TrainingGraph, data_signature, placeholder
from lamina.utils.traceback_utils import filter_traceback


class Logs(collections.abc.Mapping):
    """The logs of the latest step, computed from the trackers only when read."""

    def __init__(self, trainer):
        self._trainer = trainer
        self._values = None

    def _results(self):
        if self._values is None:
            self._values = self._trainer._results()
        return self._values

    def __getitem__(self, key):
        return self._results()[key]

    def __iter__(self):
        return iter(self._results())

    def __len__(self):
        return len(self._results())


def _same(structure):
    return structure


def _floats(logs):
    return {k: float(K.convert_to_numpy(v)) for k, v in logs.items()}


# The step running now: its model, the y_pred it gave a compute_loss or compute_metrics
# override, the default total loss of that forward pass and the outputs' masks.
_Step = collections.namedtuple("_Step", "model y_pred total masks")
_current_step = contextvars.ContextVar("lamina_current_step", default=None)


@contextlib.contextmanager
def _step_scope(step):
    """A block in which ``step`` (a :class:`_Step`) is the step running now."""
    token = _current_step.set(step)
    try:
        yield
    finally:
        _current_step.reset(token)


class Trainer:
    """The training half of :class:`~lamina.Model` (mixed into it)."""

    _compiled = False
    _custom_loss = False
    _custom_metrics = False
    _custom_steps = False
    run_eagerly = False
    jit_compile = "auto"
    stop_training = False
    steps_per_execution = 1

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # decided once per class, so that a step of a model without overrides does no
        # per-batch work for them
        cls._custom_loss = cls.compute_loss is not Trainer.compute_loss
        cls._custom_metrics = cls.compute_metrics is not Trainer.compute_metrics
        # a train_step or test_step of its own may compute its loss without the graph's
        cls._custom_steps = cls.train_step is not Trainer.train_step or \
            cls.test_step is not Trainer.test_step

    # -- compile ---------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, jit_compile="auto",
                steps_per_execution=1):
        """Configure training: the optimizer, the losses per output (added to the
        graph as ``loss(model.targets[i], output_i)``), their weights and the metrics.

        >>> from lamina import Input, Model, layers
        >>> x = Input((3,)); model = Model(x, layers.Dense(2, activation="softmax")(x))
        >>> model.compile(optimizer="adam", loss="categorical_crossentropy",
        ...               metrics=["accuracy"])
        >>> type(model.optimizer).__name__
        'Adam'
        """
        from lamina import optimizers
        if positive_int(steps_per_execution) is None:
            raise ValueError(f"compile: steps_per_execution must be an int >= 1; received "
                             f"{steps_per_execution!r}.")
        steps_per_execution = int(steps_per_execution)
        if jit_compile not in (True, False, "auto"):
            raise ValueError(f"compile: jit_compile must be True, False or 'auto'; received "
                             f"{jit_compile!r}.")
        try:
            self.optimizer = optimizers.get(optimizer)
        except ValueError as e:
            raise ValueError(f"compile: {e}") from None
        if self.dtype_policy.name == "mixed_float16" and not isinstance(
                self.optimizer, optimizers.LossScaleOptimizer):
            self.optimizer = optimizers.LossScaleOptimizer(self.optimizer)
            optimizer = self.optimizer  # saved as such: a loaded model keeps its scaling
        self._compiled_loss = CompiledLoss(loss, loss_weights)
        self._compiled_metrics = CompiledMetrics(metrics, weighted_metrics)
        self._compile_config = dict(optimizer=optimizer, loss=loss, loss_weights=loss_weights,
                                    metrics=metrics, weighted_metrics=weighted_metrics,
                                    run_eagerly=run_eagerly, jit_compile=jit_compile,
                                    steps_per_execution=steps_per_execution)
        self.run_eagerly = bool(run_eagerly)
        self.jit_compile = jit_compile
        self.steps_per_execution = steps_per_execution
        self.loss = loss
        self._graphs = {}
        self._trackers = {}
        self._step_functions = {}
        self._trainable_for_steps = None
        self._compiled = True
        self.stop_training = False

    def _assert_compiled(self, where):
        if not self._compiled:
            raise RuntimeError(f"Model {self.name!r}: call compile(optimizer, loss, metrics) "
                               f"before {where}().")

    # -- targets and added losses ----------------------------------------------
    _user_targets = None
    _added_losses = ()
    _trainable_for_steps = None

    @property
    def targets(self):
        """One symbolic tensor per output, standing for its labels: use them in
        ``add_loss`` expressions (``losses.mse(model.targets[0], model.outputs[0])``).
        Each has its output's shape and dtype.

        >>> from lamina import Input, Model, layers
        >>> x = Input((3,)); model = Model(x, layers.Dense(2)(x))
        >>> model.targets[0].shape
        (None, 2)
        """
        if self._user_targets is None:
            outputs = self._graph_outputs("model.targets")
            names = self._output_names()
            targets = []
            for o, n in zip(outputs, names):
                target = K.Input(batch_shape=o.shape, dtype=o.dtype, name=f"{n}_target")
                target._shape_source = o  # its unknown sizes are the output's
                targets.append(target)
            self._user_targets = targets
        return list(self._user_targets)

    def add_loss(self, loss, name=None):
        """Add a loss term. On a model: a symbolic expression of its inputs, hidden and
        final outputs and ``model.targets``, or a zero-argument callable evaluated at
        each step; inside ``call`` (concrete or symbolic): a layer loss. Terms add up;
        each shows in the logs under ``name`` (default ``added_loss``, ``added_loss_2``...).

        >>> from lamina import backend as K, Input, Model, layers
        >>> x = Input((3,)); h = layers.Dense(4)(x); model = Model(x, layers.Dense(1)(h))
        >>> model.add_loss(1e-3 * K.mean(K.square(h)), name="activity")
        >>> [n for n, _ in model._symbolic_added_losses()]
        ['activity']
        """
        if isinstance(loss, SymbolicTensor) or (callable(loss) and not hasattr(loss, "shape")):
            if isinstance(loss, SymbolicTensor) and loss.shape != ():
                raise ValueError(f"Model {self.name!r}: add_loss expects a scalar; received a "
                                 f"symbolic tensor of shape {loss.shape}. Reduce it with "
                                 "K.mean or K.sum.")
            count = len(self._added_losses) + 1
            name = name or ("added_loss" if count == 1 else f"added_loss_{count}")
            if any(name == n for n, _ in self._added_losses):
                raise ValueError(f"Model {self.name!r}: a loss named {name!r} was already "
                                 "added; give add_loss a different name.")
            self._added_losses = tuple(self._added_losses) + ((name, loss),)
            self._graphs = {}
            self._step_functions = {}
            return
        super().add_loss(loss)

    def _symbolic_added_losses(self):
        return [(n, K.cast(v, K.floatx())) for n, v in self._added_losses
                if isinstance(v, SymbolicTensor)]

    def _callable_losses(self):
        return [(n, v) for n, v in self._added_losses if not isinstance(v, SymbolicTensor)]

    # -- the model's structure, as training sees it ------------------------------
    def _static_graph(self):
        """``(inputs, outputs)`` of the model's own graph (functional and built
        sequential models), or None for a subclassed model."""
        return None

    def _graph_outputs(self, where):
        graph = self._static_graph()
        outputs = graph[1] if graph else getattr(self, "_traced_outputs", None)
        if outputs is None:
            raise ValueError(f"Model {self.name!r} has no symbolic outputs yet for {where}: "
                             "call it on data (or fit it) first, or build it from Input().")
        return list(outputs)

    def _output_names(self):
        structure = getattr(self, "_outputs_struct", None)
        if isinstance(structure, dict):
            return list(structure)
        names = getattr(self, "output_names", None)
        if names:
            return list(names)
        outputs = self._graph_outputs("output names")
        return ["output"] if len(outputs) == 1 else [f"output_{i}" for i in range(len(outputs))]

    def _symbolic_io(self, x):
        """The symbolic inputs and flat outputs of the graph that training runs for data
        like ``x``, and a function mapping other tensors of the model's graph (added
        losses) onto that graph."""
        if not self.built:
            self._build_once(x)
        graph = self._static_graph()
        if graph is not None:
            return list(graph[0]), list(graph[1]), _same
        signature = data_signature(x)
        cached = getattr(self, "_traced", {}).get(repr(signature))
        if cached is None:
            if not getattr(self, "_traced", None):
                # sub-layers build their weights on their first call: make it a concrete one
                self(tree.map_structure(lambda a: a[:1], x), training=False)
            inputs = tree.map_structure(placeholder, x)
            outputs = tree.flatten(self(inputs))[0]
            cached = (tree.flatten(inputs)[0], outputs)
            self._traced = {**getattr(self, "_traced", {}), repr(signature): cached}
            self._traced_outputs = outputs
        return list(cached[0]), list(cached[1]), _same

    def _flat_inputs_of(self, x):
        return tree.flatten(x)[0]

    def _flat_targets(self, y, what):
        names = self._output_names()
        if y is None:
            return [None] * len(names)
        if isinstance(y, dict):
            unknown = [k for k in y if k not in names]
            if unknown:
                raise ValueError(f"Model {self.name!r}: {what} has keys {unknown} that name no "
                                 f"output; the outputs are {names}.")
            return [y.get(n) for n in names]
        if isinstance(y, (list, tuple)):
            if len(y) != len(names):
                raise ValueError(f"Model {self.name!r} has {len(names)} output(s) ({names}); "
                                 f"{what} holds {len(y)} arrays.")
            return list(y)
        if len(names) != 1:
            raise ValueError(f"Model {self.name!r} has {len(names)} outputs ({names}); give "
                             f"{what} as a list or a dict keyed by output name.")
        return [y]

    # -- building for a batch ----------------------------------------------------
    def _training_graph(self, x, y, sample_weight):
        key = repr((data_signature(x), data_signature(y), data_signature(sample_weight)))
        graph = self._graphs.get(key)
        if graph is None:
            graph = TrainingGraph(self, x, y, sample_weight,
                                  require_loss=not (self._custom_loss or self._custom_steps))
            self._graphs[key] = graph
        return graph

    def _prepare(self, batch):
        """Build every Variable a step reads (graph, metrics, optimizer slots, trackers)
        before the step is compiled, from the first batch."""
        x, y, sw = data_adapters.unpack_x_y_sample_weight(batch)
        graph = self._training_graph(x, y, sw)
        if not self._compiled_metrics.built:
            flat_y = self._flat_targets(y, "y")
            names = self._output_names()
            self._compiled_metrics.build(names, graph.outputs, flat_y,
                                         self._compiled_loss.objects(names))
        self._tracker(graph)
        trainable = self.trainable_variables
        if hasattr(self.optimizer, "build"):
            self.optimizer.build(trainable)
        # what train_step differentiates, read once per compiled step (as in Keras, a change
        # of `trainable` takes effect at the next compile)
        self._trainable_for_steps = trainable
        return graph

    def _tracker(self, graph):
        key = tuple(graph.term_names)
        if key not in self._trackers:
            self._trackers[key] = LossTracker(graph.term_names)
        self._active_tracker = self._trackers[key]
        return self._active_tracker

    def _state_variables(self):
        found = list(self.variables)
        if hasattr(self.optimizer, "variables"):
            found += list(self.optimizer.variables)
        found += self._compiled_metrics.variables
        for tracker in self._trackers.values():
            found += tracker.variables
        for holder in self._own_state_holders():
            found += list(holder.variables)
        return _unique(found)

    def _own_state_holders(self):
        """The metrics and optimizers a custom step keeps on the model (a GAN's
        ``d_optimizer``, a VAE's loss trackers), whose state a compiled step updates;
        as in Keras, ``fit`` and ``evaluate`` reset such metrics at each epoch."""
        holders = []
        for value in list(self.__dict__.values()) + list(self._overridden_metrics()):
            for item in value if isinstance(value, (list, tuple)) else (value,):
                if isinstance(item, (Metric, Optimizer)) and item is not self.optimizer and \
                        all(item is not seen for seen in holders):
                    holders.append(item)
        return holders

    def _overridden_metrics(self):
        """The metrics a subclass's own ``metrics`` property lists (none otherwise)."""
        return self.metrics if type(self).metrics is not Trainer.metrics else []

    @property
    def metrics(self):
        """The compiled metrics (after the first step)."""
        return self._compiled_metrics.metrics if self._compiled else []

    @property
    def metrics_names(self):
        """The names of what ``evaluate``, ``train_on_batch`` and ``test_on_batch``
        return, in order: ``"loss"`` (the total loss), then the compiled metrics (known
        after the first step). The individual loss terms (``add_loss`` terms, layer
        losses, weight penalties) are in the logs and ``return_dict=True`` but not here,
        as they are not in the returned list: ``dict(zip(model.metrics_names, result))``
        pairs each value with its name.

        >>> import numpy as np
        >>> from lamina import backend as K, Input, Model, layers
        >>> x = Input((3,)); h = layers.Dense(4)(x)
        >>> model = Model(x, layers.Dense(2, activation="softmax")(h))
        >>> model.add_loss(1e-3 * K.mean(K.square(h)))
        >>> model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
        >>> result = model.test_on_batch(np.ones((4, 3), "float32"),
        ...                              np.eye(2, dtype="float32")[[0, 1, 0, 1]])
        >>> model.metrics_names, len(result)
        (['loss', 'accuracy'], 2)
        """
        return ["loss"] + self._compiled_metric_names()

    def _compiled_metric_names(self):
        if not self._compiled:
            return []
        return [n for _, _, n, _ in self._compiled_metrics.per_output or []]

    # -- steps -------------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """The total loss of a batch: the compile losses, the added losses, the layer
        losses and the weight penalties.

        Override it to change the loss ``fit``, ``evaluate``, ``train_on_batch`` and
        ``test_on_batch`` use (``compile(loss=None)`` is then allowed): the steps call
        ``compute_loss(x, y, y_pred, sample_weight, training)`` inside the
        differentiated function with ``y_pred`` the model's outputs for ``x`` (one
        tensor, or a list or dict like the model's outputs) and log what it returns,
        a scalar, as ``loss``. ``super().compute_loss(x, y, y_pred, sample_weight,
        training)`` gives the default total of that same forward pass; given another
        ``y_pred`` (or outside a step), the default runs the model on ``x`` again, as
        the added losses may read hidden outputs too.

        >>> import numpy as np
        >>> from lamina import backend as K, Input, Model, layers
        >>> class Penalized(Model):
        ...     def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
        ...                      training=True):
        ...         loss = super().compute_loss(x, y, y_pred, sample_weight, training)
        ...         return loss + 0.5 * K.mean(K.abs(y_pred))
        >>> x = Input((2,))
        >>> model = Penalized(x, layers.Dense(1, kernel_initializer="ones")(x))
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> model.test_on_batch(np.ones((4, 2), "float32"), np.zeros((4, 1), "float32"))
        5.0
        """
        step = self._own_step(y_pred)
        if step is not None:
            total = step.total
        else:
            total = self._training_graph(x, y, sample_weight).run(
                x, y, sample_weight, training)[0]
        if total is None:
            raise ValueError(f"Model {self.name!r}: compute_loss has no loss to return: compile "
                             "the model with loss=..., or add one with model.add_loss(...).")
        return total

    def compute_metrics(self, x, y, y_pred, sample_weight):
        """Update the compiled metrics with a batch and return the logs: the running
        values of the loss terms and of the metrics, by name.

        The steps call it only when a subclass overrides it, after updating the loss
        terms; the dict the override returns is then what the step reports, as it is:
        call ``super().compute_metrics(x, y, y_pred, sample_weight)`` first to keep the
        loss and the compiled metrics. A value computed from the batch alone is
        reported as it is (``evaluate`` gives the last batch's); report a metric's
        ``result()`` for a mean over the batches. ``y_pred`` is as in
        :meth:`compute_loss`.

        >>> import numpy as np
        >>> from lamina import backend as K, Input, Model, layers
        >>> class WithPeak(Model):
        ...     def compute_metrics(self, x, y, y_pred, sample_weight):
        ...         logs = super().compute_metrics(x, y, y_pred, sample_weight)
        ...         return {**logs, "peak": K.max(y_pred)}
        >>> x = Input((2,))
        >>> model = WithPeak(x, layers.Dense(1, kernel_initializer="ones")(x))
        >>> model.compile(loss="mse")
        >>> model.evaluate(np.ones((4, 2)), np.zeros((4, 1)), verbose=0, return_dict=True)
        {'loss': 4.0, 'peak': 2.0}
        """
        metrics = self._compiled_metrics
        if metrics.per_output:
            step = self._own_step(y_pred)
            masks = step.masks if step is not None else [None] * len(self._output_names())
            metrics.update_state(self._flat_targets(y, "y"), self._flat_targets(y_pred, "y_pred"),
                                 None if sample_weight is None else
                                 self._flat_targets(sample_weight, "sample_weight"), masks)
        return self._results()

    def train_step(self, data):
        """One training step on ``data = (x, y, sample_weight)``, written with K functions:
        loss and gradients with ``K.value_and_grad``, ``optimizer.apply``, metric updates.
        Return a dict of logs, or None to report the compiled loss and metrics."""
        x, y, sample_weight = data_adapters.unpack_x_y_sample_weight(data)
        graph = self._training_graph(x, y, sample_weight)
        trainable = self._trainable_for_steps or self.trainable_variables

        def forward(weights):
            loss, aux = self._losses_of(graph, x, y, sample_weight, True)
            return self.optimizer.scale_loss(loss), aux

        (_, (terms, y_pred, masks)), grads = K.value_and_grad(forward, has_aux=True)(trainable)
        grads = distributed.gradients(grads)  # the global batch's, under a distribution
        self.optimizer.apply(grads, trainable)
        return self._update_trackers(graph, terms, x, y, y_pred, masks, sample_weight)

    def test_step(self, data):
        """One evaluation step: the loss terms and the metrics, with ``training=False``."""
        x, y, sample_weight = data_adapters.unpack_x_y_sample_weight(data)
        graph = self._training_graph(x, y, sample_weight)
        _, (terms, y_pred, masks) = self._losses_of(graph, x, y, sample_weight, False)
        return self._update_trackers(graph, terms, x, y, y_pred, masks, sample_weight)

    def predict_step(self, data):
        """The model's outputs for a batch (``training=False``)."""
        x, _, _ = data_adapters.unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _own_step(self, y_pred):
        """The step running now when it is this model's and gave ``y_pred``, else None."""
        step = _current_step.get()
        return step if step is not None and step.model is self and y_pred is step.y_pred \
            else None

    def _losses_of(self, graph, x, y, sample_weight, training):
        """``(loss, (terms, flat y_pred, masks))`` of a batch: the graph's, or with the
        loss a ``compute_loss`` override returns (the first of the logged terms)."""
        total, terms, y_pred, masks = graph.run(x, y, sample_weight, training)
        if not self._custom_loss:
            return total, (terms, y_pred, masks)
        structured = self._structured(y_pred)
        with _step_scope(_Step(self, structured, total, masks)):
            loss = self.compute_loss(x, y, structured, sample_weight, training)
        shape = getattr(loss, "shape", None)
        if shape is None or tuple(shape) != ():
            raise ValueError(f"Model {self.name!r}: compute_loss must return a scalar tensor; "
                             f"received {type(loss).__name__} of shape {shape}.")
        return loss, ([loss] + list(terms[1:]), y_pred, masks)

    def _structured(self, flat):
        """The flat outputs in the model's output structure (a list for a subclassed
        model with several outputs)."""
        structure = getattr(self, "_outputs_struct", None)
        if structure is not None:
            return tree.flatten(structure)[1](flat)
        return flat[0] if len(flat) == 1 else list(flat)

    def _update_trackers(self, graph, terms, x, y, y_pred, masks, sample_weight):
        batch_size = K.shape(tree.flatten(x)[0][0])[0]
        self._tracker(graph).update(terms, batch_size)
        if self._custom_metrics:
            structured = self._structured(y_pred)
            with _step_scope(_Step(self, structured, None, masks)):
                return self.compute_metrics(x, y, structured, sample_weight)
        metrics = self._compiled_metrics
        if metrics.per_output:
            metrics.update_state(self._flat_targets(y, "y"), y_pred,
                                 None if sample_weight is None else
                                 self._flat_targets(sample_weight, "sample_weight"), masks)
        return None

    def _results(self):
        results = dict(self._active_tracker.results())
        results.update(self._compiled_metrics.results())
        compiled = {id(m) for m in self._compiled_metrics.metrics} if self._compiled else ()
        for metric in self._overridden_metrics():
            # Keras's loss_tracker pattern: the metrics a compute_loss override updates
            if isinstance(metric, Metric) and id(metric) not in compiled:
                results[metric.name] = metric.result()
        return results

    def _reset_trackers(self):
        for tracker in self._trackers.values():
            tracker.reset_state()
        self._compiled_metrics.reset_state()
        for holder in self._own_state_holders():
            if isinstance(holder, Metric):
                holder.reset_state()

    # -- compiled steps ----------------------------------------------------------
    def _step_function(self, kind, batch):
        """The engine-compiled ``train``/``test``/``predict`` step for batches like
        ``batch``."""
        if kind != "predict":
            self._prepare(batch)
        else:
            self._symbolic_io(data_adapters.unpack_x_y_sample_weight(batch)[0])  # builds layers
        step = self._steps().get(kind)
        if step is None:
            method = {"train": self.train_step, "test": self.test_step,
                      "predict": self.predict_step}[kind]
            variables = self._state_variables() if kind != "predict" else list(self.variables)
            key = step_cache.step_key(self, kind, variables)
            step = self._kept_steps().get(key, variables)
            if step is not None:
                self._steps()[kind] = step
                return step
            jit = False if self.run_eagerly else self.jit_compile
            step = K.engine.compile_step(method, variables, jit_compile=jit,
                                         differentiable=kind == "train")
            if self._custom_steps and kind != "predict" and hasattr(step, "variables"):
                # the engine binds a fixed list of Variables: a custom step may create
                # state on its first run (an optimizer's slots), so run it once, unbound
                # and discarded, before listing the state
                with K.VariableScope({v: v.value for v in variables}):
                    method(batch)
                variables = self._state_variables()
                if len(variables) != len(step.variables):
                    step = K.engine.compile_step(method, variables, jit_compile=jit,
                                                 differentiable=kind == "train")
            step = distributed.step(self, kind, step)
            if kind == "predict":
                step = predicting.Padding(step)
            self._kept_steps().put(key, step)
            self._steps()[kind] = step
        return step

    def _kept_steps(self):
        """The compiled steps kept across ``compile()`` (see ``training/step_cache.py``)."""
        if "_step_cache" not in self.__dict__:
            self._step_cache = step_cache.StepCache()
        return self._step_cache

    def _steps(self):
        if "_step_functions" not in self.__dict__:
            self._step_functions = {}
        return self._step_functions

    def _run_step(self, kind, batch, *more):
        step = self._steps().get(kind) or self._step_function(kind, batch)
        if more:
            many = getattr(step, "run_many", None)
            if many is None:
                for extra in (batch,) + more[:-1]:
                    step(extra)
                out = step(more[-1])
            else:
                out = many([(b,) for b in (batch,) + more])
        else:
            out = step(batch)
        if kind == "predict" or out is not None:
            return out
        return Logs(self)

    # -- single batches ----------------------------------------------------------
    @filter_traceback
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None,
                       return_dict=False):
        """One training step on one batch. Returns the total loss as a float when no
        metric is compiled (whatever loss terms there are), else the list ``[loss,
        metric, ...]`` in ``metrics_names`` order; with ``return_dict=True`` the dict of
        every logged value, each loss term under its name. The values are those of the
        step: the loss before the update, the metrics on this batch.

        >>> import numpy as np
        >>> from lamina import backend as K, Input, Model, layers
        >>> x = Input((3,)); h = layers.Dense(4)(x); model = Model(x, layers.Dense(1)(h))
        >>> model.add_loss(1e-3 * K.mean(K.square(h)))
        >>> model.compile(optimizer="sgd", loss="mse")
        >>> x_batch, y_batch = np.ones((4, 3), "float32"), np.zeros((4, 1), "float32")
        >>> if K.backend() != "numpy":
        ...     loss = model.train_on_batch(x_batch, y_batch)
        ...     logs = model.train_on_batch(x_batch, y_batch, return_dict=True)
        ...     print(isinstance(loss, float), sorted(logs))
        ... else:
        ...     print(True, ['added_loss', 'loss', 'mean_squared_error'])
        True ['added_loss', 'loss', 'mean_squared_error']
        """
        self._assert_compiled("train_on_batch")
        self._check_can_train("train_on_batch")
        batch = self._single_batch(x, y, sample_weight, class_weight)
        self._step_function("train", batch)
        self._reset_trackers()
        return self._batch_result(self._run_step("train", batch), return_dict)

    @filter_traceback
    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """The loss (and metrics) of one batch, without training: the total loss as a
        float when no metric is compiled, else ``[loss, metric, ...]`` in
        ``metrics_names`` order; with ``return_dict=True`` every logged value by name.

        >>> import numpy as np
        >>> from lamina import Input, Model, layers
        >>> x = Input((2,)); model = Model(x, layers.Dense(1, kernel_initializer="ones")(x))
        >>> model.compile(loss="mse", metrics=["mae"])
        >>> model.test_on_batch(np.ones((4, 2), "float32"), np.zeros((4, 1), "float32"))
        [4.0, 2.0]
        """
        self._assert_compiled("test_on_batch")
        batch = self._single_batch(x, y, sample_weight, None)
        self._step_function("test", batch)
        self._reset_trackers()
        return self._batch_result(self._run_step("test", batch), return_dict)

    @filter_traceback
    def predict_on_batch(self, x):
        """The outputs for one batch, as NumPy arrays."""
        batch = self._single_batch(x, None, None, None)
        return tree.map_structure(K.convert_to_numpy, self._run_step("predict", batch))

    def _single_batch(self, x, y, sample_weight, class_weight):
        adapter = data_adapters.ArrayAdapter(x, y, sample_weight, batch_size=None,
                                             class_weight=class_weight)
        adapter.batch_size = max(adapter.num_samples, 1)
        adapter.steps = 1
        return next(iter(adapter.epoch()))

    def _batch_result(self, logs, return_dict):
        """What ``evaluate``, ``train_on_batch`` and ``test_on_batch`` return for
        ``logs``: all of them as floats with ``return_dict``; else, for the compiled
        logs, the total loss then the metrics (the per-term entries left out), a single
        float without metrics; the values of a ``train_step``'s own dict as they are."""
        logs = _floats(logs)
        if return_dict:
            return logs
        tracker = getattr(self, "_active_tracker", None)
        metric_names = self._compiled_metric_names()
        if tracker is not None and list(logs) == tracker.names + metric_names:
            values = [logs["loss"]] + [logs[n] for n in metric_names]
        else:
            values = list(logs.values())
        return values[0] if len(values) == 1 else values

    def _check_can_train(self, where):
        if K.backend() == "numpy":
            raise RuntimeError(f"{where}: the numpy engine has no automatic differentiation, so "
                               "it cannot train (evaluate and predict work). Train with jax or "
                               "torch: LAMINA_BACKEND=jax or LAMINA_BACKEND=torch.")
