"""Training and prediction speed of lamina's convolution and LSTM layers against
hand-written JAX and PyTorch loops.

B: a small CNN: Input 28x28x1 -> Conv2D(32, 3, relu) -> MaxPooling2D(2) ->
   Conv2D(64, 3, relu) -> MaxPooling2D(2) -> Flatten -> Dense(10, softmax), Adam,
   categorical cross-entropy, 10,000 synthetic samples, batch 128.
C: Input (50 steps, 32 features) -> LSTM(64) -> Dense(1), Adam, mean squared error,
   5,000 synthetic samples, batch 64.
Each is timed as one epoch in order (``fit(..., shuffle=False)``, the hand-written loops
take the batches in the same order) after a warm-up epoch, and as ``predict`` on the
same samples and batch size (NumPy results), as in benchmark D.

Each engine runs in its own process (lamina picks its engine at import): lamina on jax
against hand-written JAX (``jax.jit`` of the whole step: ``value_and_grad`` and
``optax.adam``, parameters and optimizer state donated; NHWC ``lax.conv_general_dilated`` with HWIO kernels,
``lax.reduce_window`` max pooling; the LSTM as one ``lax.scan`` whose steps project
their own input: on a CPU its training epoch takes 0.30 s against 0.38 s when the input
of every step is projected before the loop, its predict 0.08 s against 0.19 s), lamina on torch against an eager PyTorch
loop (``nn.Conv2d`` / ``nn.MaxPool2d`` on NCHW data, torch's own layout, prepared once;
``nn.LSTM(batch_first=True)``; ``torch.optim.Adam(foreach=True)``). Adam has Keras's
defaults everywhere (learning rate 1e-3, epsilon 1e-7). Inside a process the variants
alternate, round after round; the table gives the median of the rounds, the ratio of
the medians and, as a check against this machine's noise, the ratio of the fastest
rounds. Initial weights differ between the variants; data, shapes and steps do not.

Targets: lamina <= 1.10x the same engine's hand-written code on B and C.

Run::

    python benchmarks/layers_speed.py                   # jax and torch, B and C, 5 rounds
    python benchmarks/layers_speed.py --engines torch --models C --rounds 7
"""

import argparse
import json
import os
import sys

if not __package__:  # run as a script: the `benchmarks` package lives in the repository root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._timing import (TABLE_HEADER, add_device_option, interleaved_rounds,
                                jax_epoch, jax_predict, jax_train_step, run_worker,
                                start_worker, table_row, torch_device, torch_epoch)
from benchmarks.training_speed import torch_crossentropy

TARGET = 1.10
CNN_SAMPLES, CNN_BATCH, CLASSES = 10_000, 128, 10
LSTM_SAMPLES, LSTM_BATCH, STEPS, FEATURES, UNITS = 5_000, 64, 50, 32, 64
ADAM = {"learning_rate": 1e-3, "epsilon": 1e-7}


def cnn_data():
    """(x, y): NHWC images and one-hot labels."""
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.random((CNN_SAMPLES, 28, 28, 1), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[rng.integers(0, CLASSES, CNN_SAMPLES)]
    return x, y


def lstm_data():
    """(x, y): sequences (samples, steps, features) and one target each."""
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.standard_normal((LSTM_SAMPLES, STEPS, FEATURES), dtype=np.float32)
    y = rng.standard_normal((LSTM_SAMPLES, 1), dtype=np.float32)
    return x, y


def batches(n, batch):
    """The slices of one epoch taken in order, the last one partial."""
    return [slice(i, i + batch) for i in range(0, n, batch)]


# -- lamina ---------------------------------------------------------------------
def lamina_cnn():
    from lamina import Input, Model, layers
    inputs = Input((28, 28, 1))
    h = layers.Conv2D(32, 3, activation="relu")(inputs)
    h = layers.MaxPooling2D(2)(h)
    h = layers.Conv2D(64, 3, activation="relu")(h)
    h = layers.MaxPooling2D(2)(h)
    outputs = layers.Dense(CLASSES, activation="softmax")(layers.Flatten()(h))
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss="categorical_crossentropy")
    return model


def lamina_lstm():
    from lamina import Input, Model, layers
    inputs = Input((STEPS, FEATURES))
    outputs = layers.Dense(1)(layers.LSTM(UNITS)(inputs))
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss="mse")
    return model


class Lamina:
    def __init__(self, build, x, y, batch):
        self.model, self.x, self.y, self.batch = build(), x, y, batch

    def train_epoch(self):
        self.model.fit(self.x, self.y, batch_size=self.batch, epochs=1, verbose=0,
                       shuffle=False)

    def predict(self):
        return self.model.predict(self.x, batch_size=self.batch, verbose=0)


# -- hand-written JAX -----------------------------------------------------------
def _glorot(rng, shape, fan_in, fan_out):
    import numpy as np
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, shape).astype("float32")


def jax_cnn_parameters(rng):
    """Kernels (HWIO) and biases of the two convolutions and the dense layer."""
    import numpy as np
    shapes = [((3, 3, 1, 32), 9, 9 * 32), ((3, 3, 32, 64), 9 * 32, 9 * 64),
              ((5 * 5 * 64, CLASSES), 5 * 5 * 64, CLASSES)]
    return [(_glorot(rng, shape, fan_in, fan_out), np.zeros(shape[-1], np.float32))
            for shape, fan_in, fan_out in shapes]


def jax_cnn_forward(params, x):
    import jax
    from jax import lax

    def conv_relu(h, kernel, bias):
        h = lax.conv_general_dilated(h, kernel, (1, 1), "VALID",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jax.nn.relu(h + bias)

    def max_pool(h):
        return lax.reduce_window(h, -float("inf"), lax.max, (1, 2, 2, 1), (1, 2, 2, 1),
                                 "VALID")

    (k1, b1), (k2, b2), (w, b) = params
    h = max_pool(conv_relu(x, k1, b1))
    h = max_pool(conv_relu(h, k2, b2))
    return jax.nn.softmax(h.reshape(h.shape[0], -1) @ w + b)


def jax_cnn_loss(params, x, y):
    import jax.numpy as jnp
    probs = jnp.clip(jax_cnn_forward(params, x), 1e-7, 1 - 1e-7)
    return -jnp.mean(jnp.sum(y * jnp.log(probs), axis=-1))


def jax_lstm_parameters(rng):
    """LSTM kernel, recurrent kernel (orthogonal), bias (forget gate 1), dense layer;
    gates i, f, c, o as Keras orders them."""
    import numpy as np
    kernel = _glorot(rng, (FEATURES, 4 * UNITS), FEATURES, 4 * UNITS)
    q, _ = np.linalg.qr(rng.standard_normal((4 * UNITS, UNITS)))
    bias = np.zeros(4 * UNITS, np.float32)
    bias[UNITS:2 * UNITS] = 1.0
    return [(kernel, q.T.astype(np.float32), bias),
            (_glorot(rng, (UNITS, 1), UNITS, 1), np.zeros(1, np.float32))]


def jax_lstm_forward(params, x):
    import jax
    import jax.numpy as jnp
    from jax import lax
    (kernel, recurrent_kernel, bias), (w, b) = params

    def step(state, x_t):  # each step projects its own input (see the module docstring)
        h, c = state
        z = x_t @ kernel + bias + h @ recurrent_kernel
        i, f, g, o = jnp.split(z, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), None

    zeros = jnp.zeros((x.shape[0], UNITS), x.dtype)
    (h, _), _ = lax.scan(step, (zeros, zeros), jnp.swapaxes(x, 0, 1))
    return h @ w + b


def jax_lstm_loss(params, x, y):
    import jax.numpy as jnp
    return jnp.mean(jnp.square(jax_lstm_forward(params, x) - y))


class RawJax:
    def __init__(self, parameters, forward, loss_fn, x, y, batch):
        import jax
        import numpy as np
        import optax
        self.x, self.y = x, y
        self.slices = batches(len(x), batch)
        self.params = jax.device_put(parameters(np.random.default_rng(1)))
        optimizer = optax.adam(ADAM["learning_rate"], eps=ADAM["epsilon"])
        self.opt_state = optimizer.init(self.params)
        self.step = jax_train_step(loss_fn, optimizer)
        self.forward = jax.jit(forward)

    def train_epoch(self):
        self.params, self.opt_state = jax_epoch(self.step, self.params, self.opt_state,
                                                self.x, self.y, self.slices)

    def predict(self):
        return jax_predict(self.forward, self.params, self.x, self.slices)


# -- hand-written PyTorch -------------------------------------------------------
def torch_cnn():
    from torch import nn
    return nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(5 * 5 * 64, CLASSES), nn.Softmax(dim=-1))


def torch_lstm_regressor():
    """nn.LSTM(batch_first=True) and a dense layer on its last hidden state."""
    from torch import nn

    class LSTMRegressor(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(FEATURES, UNITS, batch_first=True)
            self.dense = nn.Linear(UNITS, 1)

        def forward(self, x):
            _, (h, _) = self.lstm(x)
            return self.dense(h[-1])

    return LSTMRegressor()


def torch_mse(prediction, y):
    return (prediction - y).square().mean()


class RawTorch:
    def __init__(self, model, loss_fn, x, y, batch, channels_first=False):
        import numpy as np
        import torch
        self.torch = torch
        if channels_first:
            x = np.ascontiguousarray(x.transpose(0, 3, 1, 2))
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)
        self.slices = batches(len(x), batch)
        self.device = torch_device()
        self.model, self.loss_fn = model().to(self.device), loss_fn
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=ADAM["learning_rate"],
                                          eps=ADAM["epsilon"], foreach=True)

    def train_epoch(self):
        torch_epoch(self.model, self.loss_fn, self.optimizer, self.x, self.y, self.slices,
                    self.device)

    def predict(self):
        import numpy as np
        with self.torch.no_grad():
            outs = [self.model(self.x[index].to(self.device)) for index in self.slices]
            return np.concatenate([out.cpu().numpy() for out in outs])


# -- the benchmarks -------------------------------------------------------------
def variants(engine, model):
    """{"raw": ..., "lamina": ...} for benchmark ``model`` ("B" or "C") on ``engine``."""
    if model == "B":
        x, y = cnn_data()
        raw = (RawJax(jax_cnn_parameters, jax_cnn_forward, jax_cnn_loss, x, y, CNN_BATCH)
               if engine == "jax" else
               RawTorch(torch_cnn, torch_crossentropy, x, y, CNN_BATCH, channels_first=True))
        return {"raw": raw, "lamina": Lamina(lamina_cnn, x, y, CNN_BATCH)}
    x, y = lstm_data()
    raw = (RawJax(jax_lstm_parameters, jax_lstm_forward, jax_lstm_loss, x, y, LSTM_BATCH)
           if engine == "jax" else
           RawTorch(torch_lstm_regressor, torch_mse, x, y, LSTM_BATCH))
    return {"raw": raw, "lamina": Lamina(lamina_lstm, x, y, LSTM_BATCH)}


MODELS = {"B": "CNN", "C": "LSTM"}
TASKS = (("train", "train_epoch", "train one epoch"), ("predict", "predict", "predict"))


def worker(engine, models, rounds):
    """Interleaved rounds of each model's training, then of its prediction, in this
    process; prints JSON timings under "<model>_<task>_<variant>"."""
    start_worker(engine)
    built = {model: variants(engine, model) for model in models}
    for pair in built.values():  # warm-up: compile, first-touch memory
        for v in pair.values():
            v.train_epoch()
            v.predict()
    # All training rounds, then all prediction rounds (as in training_speed.py).
    tasks = [(f"{model}_{task}", {name: getattr(v, method) for name, v in pair.items()})
             for task, method, _ in TASKS for model, pair in built.items()]
    print(json.dumps(interleaved_rounds(tasks, rounds)))


def main():
    parser = argparse.ArgumentParser(description="lamina CNN and LSTM speed against raw loops")
    parser.add_argument("--engines", nargs="+", default=["jax", "torch"])
    parser.add_argument("--models", nargs="+", default=["B", "C"], choices=["B", "C"])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    add_device_option(parser)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.models, args.rounds)
        return
    print(TABLE_HEADER)
    for engine in args.engines:
        times = run_worker("layers_speed", engine,
                           ["--rounds", str(args.rounds), "--models", *args.models], args.device)
        for task, _, label in TASKS:
            for model in args.models:
                print(table_row(engine, f"{model}: {MODELS[model]}, {label}", times,
                                f"{model}_{task}", TARGET))

if __name__ == "__main__":
    main()
