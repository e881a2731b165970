"""NumPy re-computations (float64) of lamina's optimizer updates, for the tests."""

import numpy as np


def clip(grads, clipnorm=None, clipvalue=None, global_clipnorm=None):
    if clipnorm is not None:
        return [g * clipnorm / max(np.linalg.norm(g), clipnorm) for g in grads]
    if global_clipnorm is not None:
        total = np.sqrt(sum(np.sum(g * g) for g in grads))
        return [g * global_clipnorm / max(total, global_clipnorm) for g in grads]
    if clipvalue is not None:
        return [np.clip(g, -clipvalue, clipvalue) for g in grads]
    return grads


def sgd(w, g, s, t, lr, momentum=0.0, nesterov=False):
    if momentum == 0:
        return w - lr * g
    s["m"] = momentum * s.get("m", 0.0) - lr * g
    return w + (momentum * s["m"] - lr * g if nesterov else s["m"])


def rmsprop(w, g, s, t, lr, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False):
    s["v"] = rho * s.get("v", 0.0) + (1 - rho) * g * g
    denominator = s["v"]
    if centered:
        s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g
        denominator = denominator - s["a"] ** 2
    increment = lr * g / np.sqrt(denominator + epsilon)
    if momentum > 0:
        s["m"] = momentum * s.get("m", 0.0) + increment
        return w - s["m"]
    return w - increment


def adam(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7, amsgrad=False):
    s["m"] = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
    s["v"] = beta_2 * s.get("v", 0.0) + (1 - beta_2) * g * g
    v = s["v"]
    if amsgrad:
        s["vhat"] = v = np.maximum(s.get("vhat", 0.0), v)
    alpha = lr * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)
    return w - alpha * s["m"] / (np.sqrt(v) + epsilon)


def adagrad(w, g, s, t, lr, initial_accumulator_value=0.1, epsilon=1e-7):
    s["a"] = s.get("a", initial_accumulator_value) + g * g
    return w - lr * g / np.sqrt(s["a"] + epsilon)


def adadelta(w, g, s, t, lr, rho=0.95, epsilon=1e-7):
    s["a"] = rho * s.get("a", 0.0) + (1 - rho) * g * g
    delta = -np.sqrt(s.get("d", 0.0) + epsilon) / np.sqrt(s["a"] + epsilon) * g
    s["d"] = rho * s.get("d", 0.0) + (1 - rho) * delta * delta
    return w + lr * delta


def adamax(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    s["m"] = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
    s["u"] = np.maximum(beta_2 * s.get("u", 0.0), np.abs(g))
    return w - lr * s["m"] / ((1 - beta_1 ** t) * (s["u"] + epsilon))


def nadam(w, g, s, t, lr, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    u_t = beta_1 * (1 - 0.5 * 0.96 ** t)
    u_next = beta_1 * (1 - 0.5 * 0.96 ** (t + 1))
    product = s["product"]  # updated once per step by run()
    s["m"] = beta_1 * s.get("m", 0.0) + (1 - beta_1) * g
    s["v"] = beta_2 * s.get("v", 0.0) + (1 - beta_2) * g * g
    m_hat = u_next * s["m"] / (1 - product * u_next) + (1 - u_t) * g / (1 - product)
    v_hat = s["v"] / (1 - beta_2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + epsilon)


def lion(w, g, s, t, lr, beta_1=0.9, beta_2=0.99):
    m = s.get("m", 0.0)
    w = w - lr * np.sign(beta_1 * m + (1 - beta_1) * g)
    s["m"] = beta_2 * m + (1 - beta_2) * g
    return w


UPDATES = {"SGD": sgd, "RMSprop": rmsprop, "Adam": adam, "AdamW": adam, "Adagrad": adagrad,
           "Adadelta": adadelta, "Adamax": adamax, "Nadam": nadam, "Lion": lion}
DEFAULT_RATES = {"SGD": 0.01}
BASE = ("learning_rate", "weight_decay", "clipnorm", "clipvalue", "global_clipnorm")


def run(name, config, weights, grad_steps):
    """The weights after applying each list of ``grad_steps`` in turn (Keras 3 order:
    clip, decay, update)."""
    update = UPDATES[name]
    lr = config.get("learning_rate", DEFAULT_RATES.get(name, 0.001))
    decay = config.get("weight_decay", 0.004 if name == "AdamW" else None)
    options = {k: v for k, v in config.items() if k not in BASE}
    weights = [np.asarray(w, "float64") for w in weights]
    states = [{} for _ in weights]
    product = 1.0
    for t, grads in enumerate(grad_steps, start=1):
        grads = clip([np.asarray(g, "float64") for g in grads],
                     **{k: config[k] for k in ("clipnorm", "clipvalue", "global_clipnorm")
                        if k in config})
        if decay is not None:
            weights = [w - w * decay * lr for w in weights]
        product *= options.get("beta_1", 0.9) * (1 - 0.5 * 0.96 ** t)
        for s in states:
            s["product"] = product
        weights = [update(w, g, s, t, lr, **options) for w, g, s in zip(weights, grads, states)]
    return weights
