"""Metric state as K.Variables: update_state inside a VariableScope (how the training
engine runs it) and under jax.jit; the stateless forms; lazily built metrics; the
Metric base class."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import metrics
from metric_data import BATCHES, CLASSES, to_np


def factories():
    return {
        "mean": (metrics.Mean, lambda b: (b["probs"],)),
        "binary_accuracy": (metrics.BinaryAccuracy, lambda b: (b["binary"], b["probs"])),
        "sparse_top_k": (lambda: metrics.SparseTopKCategoricalAccuracy(k=2),
                         lambda b: (b["labels"], b["probs"])),
        "precision_top_k": (lambda: metrics.Precision(top_k=2),
                            lambda b: (b["onehot"], b["probs"])),
        "auc_pr": (lambda: metrics.AUC(num_thresholds=5, curve="PR"),
                   lambda b: (b["binary"], b["probs"])),
        "auc_multi_label": (lambda: metrics.AUC(num_thresholds=5, multi_label=True,
                                                num_labels=CLASSES),
                            lambda b: (b["binary"], b["probs"])),
        "f1_macro": (lambda: built(metrics.F1Score(average="macro")),
                     lambda b: (b["binary"], b["probs"])),
    }


def built(metric):
    metric.build((None, CLASSES), (None, CLASSES))
    return metric


CASES = sorted(factories())


@pytest.mark.parametrize("case", CASES)
def test_update_state_in_a_variable_scope_collects_the_new_state(case):
    make, args = factories()[case]
    scoped, eager = make(), make()
    batch = BATCHES[1]
    eager.update_state(*args(batch), sample_weight=batch["weights"])
    before = [v.numpy() for v in scoped.variables]
    with K.VariableScope({v: v.value for v in scoped.variables}) as scope:
        scoped.update_state(*args(batch), sample_weight=batch["weights"])
        inside = to_np(scoped.result())
    for variable, old, new in zip(scoped.variables, before, eager.variables):
        np.testing.assert_array_equal(variable.numpy(), old)  # storage untouched
        np.testing.assert_allclose(to_np(scope.values[variable]), new.numpy(), rtol=1e-6)
    assert set(scope.assigned) == set(scoped.variables)
    np.testing.assert_allclose(inside, to_np(eager.result()), rtol=1e-6)


@pytest.mark.parametrize("case", CASES)
def test_stateless_forms_match_the_stateful_ones(case):
    make, args = factories()[case]
    metric, reference = make(), make()
    state = [v.value for v in metric.variables]
    for batch in BATCHES[:2]:
        state = metric.stateless_update_state(state, *args(batch), sample_weight=batch["weights"])
        reference.update_state(*args(batch), sample_weight=batch["weights"])
    np.testing.assert_allclose(to_np(metric.stateless_result(state)), to_np(reference.result()),
                               rtol=1e-6)
    assert all(np.all(v.numpy() == 0) for v in metric.variables)
    zeros = reference.stateless_reset_state()
    assert all(np.all(to_np(z) == 0) for z in zeros)
    with pytest.raises(ValueError, match=f"expected {len(state)} metric variable values"):
        metric.stateless_result(state[:-1])


@pytest.mark.skipif(K.backend() != "jax", reason="jax.jit exists on the jax engine only")
@pytest.mark.parametrize("case", CASES)
def test_update_state_runs_under_jax_jit(case):
    import jax

    make, args = factories()[case]
    metric, reference = make(), make()

    @jax.jit
    def step(state, batch):
        state = metric.stateless_update_state(state, *args(batch),
                                              sample_weight=batch["weights"])
        return state, metric.stateless_result(state)

    state = [v.value for v in metric.variables]
    for batch in BATCHES:
        state, result = step(state, batch)
        reference.update_state(*args(batch), sample_weight=batch["weights"])
        np.testing.assert_allclose(np.asarray(result), to_np(reference.result()), rtol=1e-5)


def test_lazily_built_metrics_build_eagerly_and_refuse_to_build_in_a_scope():
    batch = BATCHES[0]
    f1 = metrics.F1Score()
    assert not f1.built and f1.variables == []
    with K.VariableScope():
        with pytest.raises(RuntimeError, match=r"F1Score 'f1_score'.*Call build\(y_true_shape, "
                                               r"y_pred_shape\)"):
            f1.update_state(batch["binary"], batch["probs"])
    f1.update_state(batch["binary"], batch["probs"])
    assert f1.built and [v.shape for v in f1.variables] == [(CLASSES,)] * 4
    auc = metrics.AUC(multi_label=True, num_thresholds=5)
    with pytest.raises(ValueError, match=r"AUC 'auc': multi_label=True needs predictions of "
                                         r"shape \(batch, num_labels\)"):
        auc.build((None,), (None,))
    auc.build((None, CLASSES), (None, CLASSES))
    with pytest.raises(ValueError, match=r"AUC 'auc': expected 4 labels"):
        auc.update_state(batch["binary"][:, :2], batch["probs"][:, :2])


def test_custom_metric_on_the_base_class():
    class PositiveCount(metrics.Metric):
        def __init__(self, name="positive_count", dtype=None):
            super().__init__(dtype=dtype, name=name)
            self.count = self.add_variable((), initializer="ones", name="count")

        def update_state(self, values):
            self.count.assign_add(K.sum(K.cast(K.greater(values, 0.5), self.dtype)))

        def result(self):
            return self.count.value

    metric = PositiveCount()
    assert metric.name == "positive_count" and metric.dtype == "float32"
    assert float(to_np(metric(BATCHES[0]["probs"]))) == 1 + np.sum(BATCHES[0]["probs"] > 0.5)
    metric.reset_state()
    assert float(to_np(metric.result())) == 1.0  # reset refills with the initializer
    with pytest.raises(NotImplementedError, match="Metric does not implement update_state"):
        metrics.Metric().update_state(1.0)
    with pytest.raises(TypeError, match=r"Mean: name must be a string. Received name=3"):
        metrics.Mean(name=3)
