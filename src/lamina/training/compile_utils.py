"""What ``compile`` was given, matched to the model's outputs: the loss of each
output (as graph terms), the metrics of each output, and the running means of the
loss terms that the logs report.

>>> import numpy as np
>>> from lamina import backend as K
>>> tracker = LossTracker(["loss"])
>>> tracker.update([K.convert_to_tensor(2.0)], 4); tracker.update([K.convert_to_tensor(4.0)], 4)
>>> float(tracker.results()["loss"])
3.0
"""

from lamina import backend as K


def _per_output(spec, names, what):
    """``spec`` (one value for all outputs, a list in output order, or a dict by output
    name) as a list aligned with ``names``."""
    if isinstance(spec, dict):
        unknown = [k for k in spec if k not in names]
        if unknown:
            raise ValueError(f"compile: {what} names unknown output(s) {unknown}; the model's "
                             f"outputs are {names}.")
        return [spec.get(n) for n in names]
    if isinstance(spec, (list, tuple)) and len(names) > 1:
        if len(spec) != len(names):
            raise ValueError(f"compile: {what} has {len(spec)} entries; the model has "
                             f"{len(names)} outputs ({names}).")
        return list(spec)
    return [spec] * len(names)


def _names_in(spec):
    """The names in a compile spec: a name, or lists, tuples and per-output dicts of
    them (a serialized ``{"class_name": ...}`` dict holds none)."""
    if isinstance(spec, str):
        yield spec
    elif isinstance(spec, dict) and "class_name" not in spec:
        for value in spec.values():
            yield from _names_in(value)
    elif isinstance(spec, (list, tuple)):
        for value in spec:
            yield from _names_in(value)


def check_names(check, *specs):
    """Call ``check`` on every name in ``specs`` (see :func:`_names_in`), so that an
    unknown loss or metric name fails at ``compile``, not at the first step.

    >>> from lamina import losses
    >>> try:
    ...     check_names(losses.get, {"out": "mse"}, ["huberr"])
    ... except ValueError as e:
    ...     print(str(e).split("?")[0])
    compile: lamina.losses: unknown loss 'huberr'; did you mean 'huber'
    """
    for spec in specs:
        for name in _names_in(spec):
            try:
                check(name)
            except ValueError as e:
                raise ValueError(f"compile: {e}") from None


def _loss_object(identifier, where):
    from lamina import losses as losses_module
    loss = losses_module.get(identifier)
    if loss is None:
        return None
    if isinstance(loss, losses_module.Loss):
        return loss
    if not callable(loss):
        raise ValueError(f"compile: the loss {where} must be a name, a Loss or a function "
                         f"(y_true, y_pred); received {identifier!r}.")
    name = getattr(loss, "__name__", type(loss).__name__)
    return losses_module.LossFunctionWrapper(loss, name=name)


def _loss_name(loss):
    return getattr(loss, "name", None) or getattr(loss, "__name__", "loss")


class CompiledLoss:
    """The compile losses and their weights, turned into named symbolic terms."""

    def __init__(self, loss, loss_weights):
        from lamina import losses as losses_module
        check_names(losses_module.get, loss)
        self.loss = loss
        self.loss_weights = loss_weights
        self._objects = None

    def objects(self, names):
        """One Loss (or None) per output."""
        if self._objects is None:
            specs = _per_output(self.loss, names, "loss")
            objects = [None if s is None else _loss_object(s, f"for output {n!r}")
                       for s, n in zip(specs, names)]
            weights = _per_output(self.loss_weights, names, "loss_weights") \
                if self.loss_weights is not None else [None] * len(names)
            self._objects = list(zip(objects, weights))
        return self._objects

    def terms(self, outputs, targets, weights, names):
        """``[(log name, symbolic scalar)]`` for each output that has a loss."""
        terms = []
        for i, ((loss, factor), out, target, weight) in enumerate(
                zip(self.objects(names), outputs, targets, weights)):
            if loss is None:
                continue
            if target is None:
                raise ValueError(f"Output {names[i]!r} has the loss {_loss_name(loss)!r} but "
                                 "no labels were given for it (y). Pass its labels, or compile "
                                 "with loss=None for that output.")
            mask = getattr(out, "_keras_mask", None)
            if mask is not None:
                mask = K.cast(mask, out.dtype)
                weight = mask if weight is None else mask * K.reshape(
                    weight, (-1,) + (1,) * (len(mask.shape) - 1))
            try:
                value = loss(target, out, sample_weight=weight)
            except Exception as e:
                raise type(e)(f"The loss {_loss_name(loss)!r} of output {names[i]!r} cannot "
                              f"compare labels of shape {target.shape} ({target.dtype}) with "
                              f"outputs of shape {out.shape}: {e}") from e
            if factor is not None:
                value = value * float(factor)
            name = _loss_name(loss) if len(outputs) == 1 else f"{names[i]}_loss"
            terms.append((name, value))
        return terms


class CompiledMetrics:
    """The metrics of each output, resolved against its loss and label shape."""

    def __init__(self, metrics, weighted_metrics):
        from lamina import metrics as metrics_module
        check_names(metrics_module._check_name, metrics, weighted_metrics)
        self.specs = (metrics, weighted_metrics)
        self.per_output = None

    @property
    def built(self):
        return self.per_output is not None

    def build(self, names, outputs, labels, losses):
        from lamina import metrics as metrics_module
        self.per_output = []
        for kind, spec in zip(("metrics", "weighted_metrics"), self.specs):
            if spec is None:
                continue
            if not isinstance(spec, (list, tuple, dict)):
                raise ValueError(f"compile: {kind} must be a list or a dict of metrics; "
                                 f"received {spec!r}.")
            if isinstance(spec, dict):
                specs = _per_output(spec, names, kind)
            elif len(names) > 1 and len(spec) == len(names) and all(
                    isinstance(s, (list, tuple)) or s is None for s in spec):
                specs = list(spec)
            else:
                specs = [spec] * len(names)
            for i, entry in enumerate(specs):
                if entry is None or labels[i] is None:
                    continue
                for identifier in (entry if isinstance(entry, (list, tuple)) else [entry]):
                    metric = metrics_module.resolve(
                        identifier, loss=losses[i][0] if losses else None,
                        y_true_shape=tuple(labels[i].shape), y_pred_shape=tuple(outputs[i].shape))
                    if hasattr(metric, "build"):
                        metric.build(tuple(labels[i].shape), tuple(outputs[i].shape))
                    log_name = metric.name if len(names) == 1 else f"{names[i]}_{metric.name}"
                    self.per_output.append((i, metric, log_name, kind == "weighted_metrics"))
        seen = set()
        for _, _, log_name, _ in self.per_output:
            if log_name in seen:
                raise ValueError(f"compile: two metrics would be logged as {log_name!r}; give "
                                 "them different names.")
            seen.add(log_name)

    def update_state(self, y, y_pred, sample_weight, masks):
        for i, metric, _, weighted in self.per_output:
            weight = sample_weight[i] if weighted and sample_weight is not None else None
            if masks[i] is not None:
                mask = K.cast(masks[i], y_pred[i].dtype)
                weight = mask if weight is None else weight * mask
            metric.update_state(y[i], y_pred[i], sample_weight=weight)

    def results(self):
        return {name: metric.result() for _, metric, name, _ in self.per_output or []}

    def reset_state(self):
        for metric in self.metrics:
            metric.reset_state()

    @property
    def metrics(self):
        return [metric for _, metric, _, _ in self.per_output or []]

    @property
    def variables(self):
        return [v for metric in self.metrics for v in metric.variables]


class LossTracker:
    """Running means of the loss terms over an epoch, weighted by batch size, kept in
    Variables so that a compiled step updates them."""

    def __init__(self, names):
        self.names = list(names)
        self.totals = K.Variable(K.zeros((len(names),)), trainable=False, name="loss_totals")
        self.count = K.Variable(0.0, trainable=False, name="loss_count")

    @property
    def variables(self):
        return [self.totals, self.count]

    def update(self, values, batch_size):
        size = K.cast(batch_size, "float32")
        self.totals.assign_add(K.stack([K.cast(v, "float32") for v in values]) * size)
        self.count.assign_add(size)

    def results(self):
        means = K.divide(self.totals.value, K.maximum(self.count.value, 1.0))
        return {name: means[i] for i, name in enumerate(self.names)}

    def reset_state(self):
        self.totals.assign(K.zeros((len(self.names),)))
        self.count.assign(0.0)
