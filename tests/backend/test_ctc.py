"""K.ctc_loss against torch's F.ctc_loss (where torch is installed) and a forward
recursion written here in probability space; its gradient on the engines that
differentiate; K.ctc_decode's greedy decoding; and the errors both raise."""

import numpy as np
import pytest

from lamina import backend as K
from lamina import ops

ENGINE = K.backend()
rng = np.random.default_rng(7)
LOGITS = rng.normal(size=(3, 6, 4)).astype("float32")
TARGET = np.array([[1, 2, 2], [3, 0, 0], [1, 3, 1]], "int32")
TARGET_LENGTH = np.array([3, 1, 2], "int32")
OUTPUT_LENGTH = np.array([6, 4, 5], "int32")


def to_np(x):
    return np.asarray(K.convert_to_numpy(x))


def softmax(x):
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def forward_probability(labels, probs, blank):
    """The CTC forward recursion over probabilities (float64), one sample."""
    extended = [blank]
    for label in labels:
        extended += [label, blank]
    alpha = np.zeros(len(extended))
    alpha[0] = probs[0, blank]
    if len(extended) > 1:
        alpha[1] = probs[0, extended[1]]
    for t in range(1, len(probs)):
        new = np.zeros_like(alpha)
        for s, label in enumerate(extended):
            total = alpha[s] + (alpha[s - 1] if s >= 1 else 0.0)
            if s >= 2 and label != blank and label != extended[s - 2]:
                total += alpha[s - 2]
            new[s] = total * probs[t, label]
        alpha = new
    return alpha[-1] + (alpha[-2] if len(extended) > 1 else 0.0)


def reference(blank=0):
    probs = softmax(LOGITS.astype("float64"))
    return np.array([-np.log(forward_probability(
        TARGET[b, :TARGET_LENGTH[b]], probs[b, :OUTPUT_LENGTH[b]], blank)) for b in range(3)])


def test_ctc_loss_matches_the_forward_recursion():
    got = K.ctc_loss(TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH)
    assert K.int_shape(got) == (3,) and K.dtype(got) == "float32"
    np.testing.assert_allclose(to_np(got), reference(), rtol=1e-5)


def test_ctc_loss_with_another_blank_index():
    target = np.where(TARGET == 3, 0, TARGET)  # labels 0..2, class 3 is the blank
    got = ops.ctc_loss(target, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH, mask_index=3)
    probs = softmax(LOGITS.astype("float64"))
    expected = [-np.log(forward_probability(target[b, :TARGET_LENGTH[b]],
                                            probs[b, :OUTPUT_LENGTH[b]], 3)) for b in range(3)]
    np.testing.assert_allclose(to_np(got), expected, rtol=1e-5)


def test_ctc_loss_matches_torch():
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    log_probs = functional.log_softmax(torch.tensor(LOGITS), dim=-1).transpose(0, 1)
    expected = functional.ctc_loss(log_probs, torch.tensor(TARGET).long(),
                                   torch.tensor(OUTPUT_LENGTH).long(),
                                   torch.tensor(TARGET_LENGTH).long(), blank=0,
                                   reduction="none").numpy()
    got = K.ctc_loss(TARGET, LOGITS, TARGET_LENGTH, OUTPUT_LENGTH)
    np.testing.assert_allclose(to_np(got), expected, rtol=1e-5)


@pytest.mark.skipif(ENGINE == "numpy", reason="the numpy engine has no gradients")
def test_ctc_loss_gradient_is_finite_and_matches_finite_differences():
    weights = np.array([1.0, 0.5, 2.0])

    def loss(logits):
        return K.sum(K.ctc_loss(TARGET, logits, TARGET_LENGTH, OUTPUT_LENGTH)
                     * K.convert_to_tensor(weights))

    logits = LOGITS.astype("float64")
    grad = to_np(K.grad(loss)(K.convert_to_tensor(logits)))
    assert np.all(np.isfinite(grad))
    # Steps past a sample's output length do not count.
    assert np.all(grad[1, 4:] == 0) and np.all(grad[2, 5:] == 0)
    step = 1e-6
    for index in [(0, 0, 1), (0, 5, 2), (1, 2, 3), (2, 4, 0)]:
        up, down = logits.copy(), logits.copy()
        up[index] += step
        down[index] -= step
        numeric = (float(to_np(loss(K.convert_to_tensor(up))))
                   - float(to_np(loss(K.convert_to_tensor(down))))) / (2 * step)
        assert grad[index] == pytest.approx(numeric, rel=1e-4, abs=1e-6)


def test_ctc_loss_symbolic_shape():
    out = K.ctc_loss(K.Input((5,), dtype="int32"), K.Input((7, 4)),
                     K.Input((), dtype="int32"), K.Input((), dtype="int32"))
    assert K.int_shape(out) == (None,)


def test_ctc_loss_says_which_shapes_it_expected():
    with pytest.raises(ValueError, match=r"ctc_loss: expected target \(batch, "
                                         r"max_label_length\).*Received target \(3,\)"):
        K.ctc_loss(TARGET[:, 0], LOGITS, TARGET_LENGTH, OUTPUT_LENGTH)


def test_greedy_decoding_merges_repeats_drops_blanks_and_pads():
    best = np.array([[1, 1, 0, 1, 2, 2],     # -> 1 1 2
                     [0, 3, 3, 3, 0, 0],     # -> 3
                     [2, 0, 0, 2, 1, 3]])    # length 4 -> 2 2
    logits = np.full((3, 6, 4), -2.0, "float32")
    logits[np.arange(3)[:, None], np.arange(6)[None, :], best] = 2.0
    decoded, scores = K.ctc_decode(logits, [6, 6, 4])
    assert to_np(decoded).tolist() == [[[1, 1, 2, -1, -1, -1], [3, -1, -1, -1, -1, -1],
                                        [2, 2, -1, -1, -1, -1]]]
    step_log_prob = 2.0 - np.log(np.exp(2.0) + 3 * np.exp(-2.0))
    np.testing.assert_allclose(to_np(scores)[:, 0], -step_log_prob * np.array([6, 6, 4]),
                               rtol=1e-5)
    unmerged, _ = K.ctc_decode(logits, [6, 6, 4], merge_repeated=False)
    assert to_np(unmerged)[0, 0].tolist() == [1, 1, 1, 2, 2, -1]
    with pytest.raises(ValueError, match="ctc_decode: strategy must be 'greedy'.*"
                                         "Received strategy='beam_search'"):
        K.ctc_decode(logits, [6, 6, 4], strategy="beam_search")
