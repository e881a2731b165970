"""Dice, Tversky, Circle, CategoricalGeneralizedCrossEntropy and CTC against NumPy
references written here: functions and classes, reductions and weights, names and
configs, errors, gradients, and training with them in compile / fit."""

import itertools

import numpy as np
import pytest

from lamina import Input, Model, layers, losses
from lamina import backend as K
from lamina.utils import set_random_seed

ENGINE = K.backend()
rng = np.random.default_rng(5)
MASKS = rng.integers(0, 2, size=(3, 4, 4)).astype("float32")
PROBS = rng.uniform(0.05, 0.95, size=(3, 4, 4)).astype("float32")


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def np_dice(t, p, axis=None):
    return 1 - 2 * np.sum(t * p, axis=axis) / (np.sum(t, axis=axis) + np.sum(p, axis=axis)
                                               + 1e-7)


def np_tversky(t, p, alpha, beta, axis=None):
    tp = np.sum(t * p, axis=axis)
    return 1 - tp / (tp + alpha * np.sum(t * (1 - p), axis=axis)
                     + beta * np.sum((1 - t) * p, axis=axis) + 1e-7)


def test_dice_over_the_batch_and_per_sample():
    assert float(losses.dice(MASKS, PROBS)) == pytest.approx(np_dice(MASKS, PROBS), rel=1e-5)
    per_sample = np_dice(MASKS, PROBS, axis=(1, 2))
    np.testing.assert_allclose(to_np(losses.dice(MASKS, PROBS, axis=(1, 2))), per_sample,
                               rtol=1e-5)
    weights = np.array([1.0, 0.0, 2.0], "float32")
    assert float(losses.Dice(axis=(1, 2))(MASKS, PROBS, sample_weight=weights)) == \
        pytest.approx(np.sum(per_sample * weights) / 3, rel=1e-5)
    assert float(losses.Dice()(MASKS, PROBS)) == pytest.approx(np_dice(MASKS, PROBS), rel=1e-5)


def test_tversky_weights_missed_and_extra_mass():
    got = to_np(losses.tversky(MASKS, PROBS, alpha=0.7, beta=0.3, axis=(1, 2)))
    np.testing.assert_allclose(got, np_tversky(MASKS, PROBS, 0.7, 0.3, axis=(1, 2)), rtol=1e-5)
    half = losses.Tversky()(MASKS, PROBS)
    assert float(half) == pytest.approx(np_dice(MASKS, PROBS), rel=1e-5)
    loss = losses.Tversky(alpha=0.2, beta=0.8, reduction="sum")
    assert float(loss(MASKS, PROBS)) == pytest.approx(np_tversky(MASKS, PROBS, 0.2, 0.8),
                                                      rel=1e-5)


def test_generalized_cross_entropy():
    labels = np.array([0, 3, 2, 1])
    probs = PROBS[0] / PROBS[0].sum(axis=1, keepdims=True)
    p = probs[np.arange(4), labels]
    for q in (0.3, 1.0):
        expected = (1 - p ** q) / q
        np.testing.assert_allclose(
            to_np(losses.categorical_generalized_cross_entropy(labels, probs, q=q)), expected,
            rtol=1e-5)
        loss = losses.CategoricalGeneralizedCrossEntropy(q=q)
        assert float(loss(labels[:, None], probs)) == pytest.approx(expected.mean(), rel=1e-5)
    with pytest.raises(ValueError, match=r"CategoricalGeneralizedCrossEntropy: q must be a "
                                         r"float in \(0, 1\]. Received q=0"):
        losses.CategoricalGeneralizedCrossEntropy(q=0)
    with pytest.raises(ValueError, match=r"categorical_generalized_cross_entropy expects "
                                         r"integer labels of shape \(batch,\)"):
        losses.categorical_generalized_cross_entropy(probs, probs, q=0.5)


def np_circle(labels, emb, ref_labels, ref_emb, remove_diagonal, gamma, margin):
    out = []
    for i in range(len(labels)):
        pos, neg = [], []
        for j in range(len(ref_labels)):
            d = max(1 - float(emb[i] @ ref_emb[j]), 0.0)
            if labels[i] == ref_labels[j] and not (remove_diagonal and i == j):
                pos.append(-gamma * max(margin + d, 0) * (margin - d))
            elif labels[i] != ref_labels[j]:
                neg.append(gamma * max(1 + margin - d, 0) * (1 - margin - d))
        if not pos or not neg:
            out.append(0.0)
            continue
        x = np.logaddexp.reduce(pos) + np.logaddexp.reduce(neg)
        out.append(np.logaddexp(0.0, x))
    return np.array(out)


def normalized(x):
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype("float32")


EMB = normalized(rng.normal(size=(6, 3)))
LABELS = np.array([0, 1, 0, 2, 1, 3])


def test_circle_per_anchor_and_the_mean_over_anchors_with_a_loss():
    expected = np_circle(LABELS, EMB, LABELS, EMB, True, 2.0, 0.25)
    np.testing.assert_allclose(to_np(losses.circle(LABELS, EMB, gamma=2.0, margin=0.25)),
                               expected, rtol=1e-5, atol=1e-6)
    assert expected[3] == expected[5] == 0.0  # classes 2 and 3 have no positive pair
    loss = losses.Circle(gamma=2.0, margin=0.25)
    assert float(loss(LABELS, EMB)) == pytest.approx(expected.sum() / 4, rel=1e-5)
    refs = normalized(rng.normal(size=(4, 3)))
    ref_labels = np.array([0, 1, 1, 2])
    got = losses.circle(LABELS, EMB, ref_labels=ref_labels, ref_embeddings=refs,
                        remove_diagonal=False)
    np.testing.assert_allclose(to_np(got), np_circle(LABELS, EMB, ref_labels, refs, False,
                                                     80.0, 0.4), rtol=1e-4, atol=1e-5)


def ctc_reference(target, length, log_probs, blank=0):
    """-log of the summed probability of every path (over all T-step label strings)
    that collapses to ``target[:length]``: brute force over the C ** T paths."""
    steps, classes = log_probs.shape
    wanted = tuple(target[:length])
    total = -np.inf
    for path in itertools.product(range(classes), repeat=steps):
        collapsed = [c for k, c in enumerate(path) if c != blank and
                     (k == 0 or c != path[k - 1])]
        if tuple(collapsed) == wanted:
            total = np.logaddexp(total, sum(log_probs[k, c] for k, c in enumerate(path)))
    return -total


def log_softmax(x):
    return x - np.log(np.sum(np.exp(x), axis=-1, keepdims=True))


def test_ctc_loss_function_and_class_against_brute_force():
    logits = rng.normal(size=(3, 4, 3)).astype("float32")
    y_true = np.array([[1, 2, 0], [2, 2, 0], [1, 0, 0]])
    expected = [ctc_reference(y_true[b], int(np.sum(y_true[b] != 0)),
                              log_softmax(logits[b].astype("float64"))) for b in range(3)]
    np.testing.assert_allclose(to_np(losses.ctc(y_true, logits)), expected, rtol=1e-5)
    loss = losses.CTC()
    assert float(loss(y_true, logits, sample_weight=[1.0, 0.0, 1.0])) == pytest.approx(
        (expected[0] + expected[2]) / 3, rel=1e-5)
    with pytest.raises(ValueError, match=r"ctc expects integer labels y_true of shape "
                                         r"\(batch, max_label_length\)"):
        losses.ctc([1, 2], logits)


@pytest.mark.parametrize("name,cls", [("dice", "Dice"), ("tversky", "Tversky"),
                                      ("circle", "Circle"), ("ctc", "CTC"),
                                      ("categorical_generalized_cross_entropy",
                                       "CategoricalGeneralizedCrossEntropy")])
def test_names_and_configs(name, cls):
    assert losses.get(name) is getattr(losses, name)
    instance = losses.get(cls)
    assert type(instance).__name__ == cls
    again = losses.deserialize(losses.serialize(instance))
    assert again.get_config() == instance.get_config()
    assert losses.serialize(getattr(losses, name)) == {"class_name": "function", "config": name}


def test_class_arguments_are_kept_in_the_config():
    config = losses.Tversky(alpha=0.2, beta=0.8, axis=(1, 2)).get_config()
    assert (config["alpha"], config["beta"], config["axis"]) == (0.2, 0.8, (1, 2))
    config = losses.Circle(gamma=10.0, margin=0.1, remove_diagonal=False).get_config()
    assert (config["gamma"], config["margin"], config["remove_diagonal"]) == (10.0, 0.1, False)
    assert losses.CategoricalGeneralizedCrossEntropy(q=0.7).get_config()["q"] == 0.7


@pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine has no gradients")
@pytest.mark.parametrize("loss", [losses.Dice(), losses.Tversky(alpha=0.3, beta=0.7),
                                  losses.CategoricalGeneralizedCrossEntropy(),
                                  losses.Circle(gamma=4.0), losses.CTC()])
def test_losses_train_a_model_in_fit(loss):
    set_random_seed(0)
    name = loss.name
    x = rng.normal(size=(8, 4)).astype("float32")
    if name == "ctc":
        inputs = Input((4,))
        outputs = layers.Reshape((4, 3))(layers.Dense(12)(inputs))
        y = np.array([[1, 2], [2, 0], [1, 1], [2, 1]] * 2)
    elif name == "circle":
        inputs = Input((4,))
        outputs = layers.UnitNormalization()(layers.Dense(3)(inputs))
        y = np.array([0, 1, 0, 1, 2, 2, 0, 1])
    elif name == "categorical_generalized_cross_entropy":
        inputs = Input((4,))
        outputs = layers.Dense(3, activation="softmax")(inputs)
        y = np.argmax(x[:, :3], axis=1)
    else:
        inputs = Input((4,))
        outputs = layers.Dense(4, activation="sigmoid")(inputs)
        y = (x > 0).astype("float32")
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss=loss)
    before = model.evaluate(x, y, verbose=0)
    history = model.fit(x, y, epochs=15, batch_size=8, verbose=0)
    assert np.all(np.isfinite(history.history["loss"]))
    assert model.evaluate(x, y, verbose=0) < before
