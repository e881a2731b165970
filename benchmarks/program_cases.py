"""Training speed on the paths real Keras programs take beyond the four benchmark models:
lamina against hand-written JAX and PyTorch for the same model.

V: a small video model: Input (10 frames, 32x32x1) -> ConvLSTM2D(16, 3, "same",
   return_sequences) -> ConvLSTM2D(16, 3, "same", return_sequences) -> Conv3D(1, 3,
   "same", sigmoid), binary cross-entropy, 8 samples, batch 4.
R: an IMDB-sized LSTM with recurrent dropout: tokens (80 steps, vocabulary 20,000) ->
   Embedding(20000, 128) -> LSTM(128, dropout=0.2, recurrent_dropout=0.2) -> Dense(1,
   sigmoid), binary cross-entropy, 320 samples, batch 32.
E: a convolutional autoencoder: Input 28x28x1 -> Conv2D(32, 3, relu, "same") ->
   MaxPooling2D(2) -> Conv2D(32, 3, relu, "same") -> MaxPooling2D(2) ->
   Conv2DTranspose(32, 3, strides 2, relu, "same") x 2 -> Conv2D(1, 3, sigmoid, "same"),
   binary cross-entropy against the input, 512 samples, batch 128.
All train with Adam (Keras's defaults: 1e-3, epsilon 1e-7); each is timed as one epoch
in order (``fit(..., shuffle=False)``; the hand-written loops take the same batches)
after a warm-up epoch. The LSTM without dropout (benchmark C) is in ``layers_speed.py``.

Hand-written JAX is ``jax.jit`` of the whole step (``value_and_grad``, ``optax.adam``,
parameters and optimizer state donated), NHWC convolutions. Its ConvLSTM convolves the
input of every frame at once, then runs the recurrence as a fully unrolled
``lax.scan``: on a CPU the plain ``lax.scan`` is several times slower (XLA's
convolutions and their gradients inside a compiled loop), and ``--variants`` adds that
form as ``scan`` to show it. Its LSTM draws both dropout masks once per sequence from a
key split inside the step and runs one ``lax.scan`` whose steps project their own input
(on a CPU about 20% faster than projecting every step's input before the loop).
Hand-written PyTorch runs eagerly on NCHW data (torch's layout, prepared once), its
ConvLSTM as a Python loop of ``F.conv2d`` after one input convolution of every frame,
its LSTM with recurrent dropout as a Python loop (``nn.LSTM`` has no recurrent dropout).
Inside a process the variants alternate, round after round; the table gives the median
of the rounds, the ratio of the medians and the ratio of the fastest rounds. Initial
weights differ between the variants; data, shapes and steps do not.

Target: lamina <= 1.10x the same engine's hand-written code.

Run::

    python benchmarks/program_cases.py                  # jax and torch, V, R and E, 3 rounds
    python benchmarks/program_cases.py --engines jax --cases V --rounds 5 --variants scan
"""

import argparse
import json
import os
import statistics
import sys

if not __package__:  # run as a script: the `benchmarks` package lives in the repository root
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from benchmarks._timing import (TABLE_HEADER, add_device_option, interleaved_rounds,
                                run_worker, start_worker, table_row, torch_device,
                                torch_epoch)
from benchmarks.layers_speed import ADAM, Lamina, RawJax, _glorot, batches

TARGET = 1.10
FRAMES, SIDE, FILTERS, VIDEO_SAMPLES, VIDEO_BATCH = 10, 32, 16, 8, 4
VOCABULARY, MAXLEN, EMBEDDING, UNITS, TEXT_SAMPLES, TEXT_BATCH = 20_000, 80, 128, 128, 320, 32
DROPOUT = 0.2
IMAGE_SAMPLES, IMAGE_BATCH, CHANNELS = 512, 128, 32


def video_data():
    """(x, y): clips (samples, frames, 32, 32, 1) and per-pixel binary targets."""
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.random((VIDEO_SAMPLES, FRAMES, SIDE, SIDE, 1), dtype=np.float32)
    y = (rng.random(x.shape) > 0.5).astype(np.float32)
    return x, y


def text_data():
    """(x, y): token sequences (samples, 80) and binary labels (samples, 1)."""
    import numpy as np
    rng = np.random.default_rng(0)
    x = rng.integers(1, VOCABULARY, (TEXT_SAMPLES, MAXLEN)).astype(np.int32)
    y = rng.integers(0, 2, (TEXT_SAMPLES, 1)).astype(np.float32)
    return x, y


def image_data():
    """(x, x): NHWC images, reconstructed by the autoencoder."""
    import numpy as np
    x = np.random.default_rng(0).random((IMAGE_SAMPLES, 28, 28, 1), dtype=np.float32)
    return x, x


# -- lamina ---------------------------------------------------------------------
def lamina_video():
    from lamina import Input, Model, layers
    inputs = Input((FRAMES, SIDE, SIDE, 1))
    h = layers.ConvLSTM2D(FILTERS, 3, padding="same", return_sequences=True)(inputs)
    h = layers.ConvLSTM2D(FILTERS, 3, padding="same", return_sequences=True)(h)
    outputs = layers.Conv3D(1, 3, padding="same", activation="sigmoid")(h)
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def lamina_text():
    from lamina import Input, Model, layers
    inputs = Input((MAXLEN,), dtype="int32")
    h = layers.Embedding(VOCABULARY, EMBEDDING)(inputs)
    h = layers.LSTM(UNITS, dropout=DROPOUT, recurrent_dropout=DROPOUT)(h)
    model = Model(inputs, layers.Dense(1, activation="sigmoid")(h))
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


def lamina_autoencoder():
    from lamina import Input, Model, layers
    inputs = Input((28, 28, 1))
    h = layers.Conv2D(CHANNELS, 3, activation="relu", padding="same")(inputs)
    h = layers.MaxPooling2D(2, padding="same")(h)
    h = layers.Conv2D(CHANNELS, 3, activation="relu", padding="same")(h)
    h = layers.MaxPooling2D(2, padding="same")(h)
    h = layers.Conv2DTranspose(CHANNELS, 3, strides=2, activation="relu", padding="same")(h)
    h = layers.Conv2DTranspose(CHANNELS, 3, strides=2, activation="relu", padding="same")(h)
    outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(h)
    model = Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy")
    return model


# -- hand-written JAX -----------------------------------------------------------
def jax_bce(probs, y):
    """Binary cross-entropy of probabilities clipped to [1e-7, 1 - 1e-7], as Keras."""
    import jax.numpy as jnp
    p = jnp.clip(probs, 1e-7, 1 - 1e-7)
    return -jnp.mean(y * jnp.log(p) + (1 - y) * jnp.log(1 - p))


def _conv(x, kernel, strides=(1, 1), padding="SAME"):
    from jax import lax
    return lax.conv_general_dilated(x, kernel, strides, padding,
                                    dimension_numbers=("NHWC", "HWIO", "NHWC"))


def _orthogonal(rng, rows, columns):
    import numpy as np
    q, _ = np.linalg.qr(rng.standard_normal((max(rows, columns), min(rows, columns))))
    return (q if rows >= columns else q.T).astype(np.float32)


def _lstm_bias(units):
    import numpy as np
    bias = np.zeros(4 * units, np.float32)
    bias[units:2 * units] = 1.0
    return bias


def jax_video_parameters(rng):
    """Two ConvLSTM cells (kernel, recurrent kernel, bias; HWIO), then the Conv3D."""
    def cell(channels):
        gates = 4 * FILTERS
        recurrent = _orthogonal(rng, 9 * FILTERS, gates).reshape(3, 3, FILTERS, gates)
        return (_glorot(rng, (3, 3, channels, gates), 9 * channels, 9 * gates), recurrent,
                _lstm_bias(FILTERS))
    import numpy as np
    return [cell(1), cell(FILTERS),
            (_glorot(rng, (3, 3, 3, FILTERS, 1), 27 * FILTERS, 27), np.zeros(1, np.float32))]


def jax_conv_lstm(cell, x, unroll):
    """A ConvLSTM layer over (batch, frames, H, W, C): the input convolution of every
    frame at once, then the recurrence (``unroll``: fully unrolled)."""
    import jax
    import jax.numpy as jnp
    from jax import lax
    kernel, recurrent_kernel, bias = cell
    batch, frames = x.shape[:2]
    z_x = _conv(x.reshape((batch * frames,) + x.shape[2:]), kernel) + bias
    z_x = jnp.swapaxes(z_x.reshape((batch, frames) + z_x.shape[1:]), 0, 1)

    def step(state, z):
        h, c = state
        z = z + _conv(h, recurrent_kernel)
        i, f, g, o = jnp.split(z, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), h

    zeros = jnp.zeros(z_x.shape[1:-1] + (FILTERS,), x.dtype)
    _, hs = lax.scan(step, (zeros, zeros), z_x, unroll=unroll)
    return jnp.swapaxes(hs, 0, 1)


def jax_video_loss(unroll):
    def loss(params, x, y):
        import jax
        from jax import lax
        first, second, (kernel, bias) = params
        h = jax_conv_lstm(second, jax_conv_lstm(first, x, unroll), unroll)
        out = lax.conv_general_dilated(h, kernel, (1, 1, 1), "SAME",
                                       dimension_numbers=("NDHWC", "DHWIO", "NDHWC"))
        return jax_bce(jax.nn.sigmoid(out + bias), y)
    return loss


def jax_text_parameters(rng):
    import numpy as np
    return [rng.uniform(-0.05, 0.05, (VOCABULARY, EMBEDDING)).astype(np.float32),
            (_glorot(rng, (EMBEDDING, 4 * UNITS), EMBEDDING, 4 * UNITS),
             _orthogonal(rng, UNITS, 4 * UNITS), _lstm_bias(UNITS)),
            (_glorot(rng, (UNITS, 1), UNITS, 1), np.zeros(1, np.float32))]


def jax_text_loss(params, key, x, y):
    """The LSTM with dropout on its inputs and on h, one mask each per sequence."""
    import jax
    import jax.numpy as jnp
    from jax import lax
    embedding, (kernel, recurrent_kernel, bias), (w, b) = params
    batch = x.shape[0]
    input_key, recurrent_key = jax.random.split(key)
    keep = 1 - DROPOUT
    input_mask = jax.random.bernoulli(input_key, keep, (batch, 1, EMBEDDING)) / keep
    recurrent_mask = jax.random.bernoulli(recurrent_key, keep, (batch, UNITS)) / keep
    dropped = jnp.swapaxes(embedding[x] * input_mask, 0, 1)

    def step(state, x_t):
        h, c = state
        z = x_t @ kernel + bias + (h * recurrent_mask) @ recurrent_kernel
        i, f, g, o = jnp.split(z, 4, axis=-1)
        c = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h = jax.nn.sigmoid(o) * jnp.tanh(c)
        return (h, c), None

    zeros = jnp.zeros((batch, UNITS), jnp.float32)
    (h, _), _ = lax.scan(step, (zeros, zeros), dropped)
    return jax_bce(jax.nn.sigmoid(h @ w + b), y)


class RawJaxText:
    """Hand-written JAX for R: the step also takes and returns the dropout key."""

    def __init__(self, x, y):
        import functools

        import jax
        import numpy as np
        import optax
        self.x, self.y = x, y
        self.slices = batches(len(x), TEXT_BATCH)
        self.params = jax.device_put(jax_text_parameters(np.random.default_rng(1)))
        optimizer = optax.adam(ADAM["learning_rate"], eps=ADAM["epsilon"])
        self.opt_state = optimizer.init(self.params)
        self.key = jax.random.key(0)

        @functools.partial(jax.jit, donate_argnums=(0, 1, 2))
        def step(params, opt_state, key, x, y):
            key, dropout_key = jax.random.split(key)
            loss, grads = jax.value_and_grad(jax_text_loss)(params, dropout_key, x, y)
            updates, opt_state = optimizer.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, key, loss

        self.step = step

    def train_epoch(self):
        import jax
        for index in self.slices:
            self.params, self.opt_state, self.key, loss = self.step(
                self.params, self.opt_state, self.key, self.x[index], self.y[index])
        jax.block_until_ready((self.params, self.opt_state))
        float(loss)


def jax_autoencoder_parameters(rng):
    import numpy as np
    c = CHANNELS
    shapes = [(3, 3, 1, c), (3, 3, c, c), (3, 3, c, c), (3, 3, c, c), (3, 3, c, 1)]
    return [(_glorot(rng, s, 9 * s[2], 9 * s[3]), np.zeros(s[3], np.float32)) for s in shapes]


def jax_autoencoder_loss(params, x, y):
    import jax
    from jax import lax

    def max_pool(h):
        return lax.reduce_window(h, -float("inf"), lax.max, (1, 2, 2, 1), (1, 2, 2, 1),
                                 "SAME")

    def transpose(h, kernel):
        return lax.conv_transpose(h, kernel, (2, 2), "SAME",
                                  dimension_numbers=("NHWC", "HWIO", "NHWC"))

    (k1, b1), (k2, b2), (k3, b3), (k4, b4), (k5, b5) = params
    h = max_pool(jax.nn.relu(_conv(x, k1) + b1))
    h = max_pool(jax.nn.relu(_conv(h, k2) + b2))
    h = jax.nn.relu(transpose(h, k3) + b3)
    h = jax.nn.relu(transpose(h, k4) + b4)
    return jax_bce(jax.nn.sigmoid(_conv(h, k5) + b5), y)


# -- hand-written PyTorch -------------------------------------------------------
def torch_bce(probs, y):
    p = probs.clamp(1e-7, 1 - 1e-7)
    return -(y * p.log() + (1 - y) * (1 - p).log()).mean()


def torch_video_model():
    import torch
    from torch import nn
    from torch.nn import functional as F

    class ConvLSTM(nn.Module):
        """Over (batch, frames, C, H, W): one convolution of every frame, then a loop."""

        def __init__(self, channels):
            super().__init__()
            self.input_conv = nn.Conv2d(channels, 4 * FILTERS, 3, padding=1)
            self.recurrent_conv = nn.Conv2d(FILTERS, 4 * FILTERS, 3, padding=1, bias=False)

        def forward(self, x):
            batch, frames = x.shape[:2]
            z_x = self.input_conv(x.flatten(0, 1)).unflatten(0, (batch, frames))
            h = c = x.new_zeros((batch, FILTERS) + x.shape[3:])
            outputs = []
            for z_t in z_x.unbind(1):  # one unbind: its gradient is one stack
                z = z_t + F.conv2d(h, self.recurrent_conv.weight, padding=1)
                i, f, g, o = z.chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
                outputs.append(h)
            return torch.stack(outputs, 1)

    class Video(nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second = ConvLSTM(1), ConvLSTM(FILTERS)
            self.head = nn.Conv3d(FILTERS, 1, 3, padding=1)

        def forward(self, x):
            h = self.second(self.first(x))  # (batch, frames, F, H, W)
            return torch.sigmoid(self.head(h.transpose(1, 2))).transpose(1, 2)

    return Video()


def torch_text_model():
    import torch
    from torch import nn

    class Text(nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = nn.Embedding(VOCABULARY, EMBEDDING)
            self.input_proj = nn.Linear(EMBEDDING, 4 * UNITS)
            self.recurrent = nn.Linear(UNITS, 4 * UNITS, bias=False)
            self.dense = nn.Linear(UNITS, 1)

        def forward(self, x):
            batch = x.shape[0]
            keep = 1 - DROPOUT
            e = self.embedding(x)
            input_mask = torch.bernoulli(e.new_full((batch, 1, EMBEDDING), keep)) / keep
            recurrent_mask = torch.bernoulli(e.new_full((batch, UNITS), keep)) / keep
            z_x = self.input_proj(e * input_mask)
            h = c = e.new_zeros((batch, UNITS))
            for z_t in z_x.unbind(1):
                z = z_t + self.recurrent(h * recurrent_mask)
                i, f, g, o = z.chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            return torch.sigmoid(self.dense(h))

    return Text()


def torch_autoencoder():
    from torch import nn
    c = CHANNELS
    return nn.Sequential(
        nn.Conv2d(1, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.ConvTranspose2d(c, c, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.ConvTranspose2d(c, c, 3, stride=2, padding=1, output_padding=1), nn.ReLU(),
        nn.Conv2d(c, 1, 3, padding=1), nn.Sigmoid())


class RawTorch:
    def __init__(self, model, x, y, batch, layout=None):
        import numpy as np
        import torch
        if layout is not None:  # channels last -> torch's channels first, prepared once
            x, y = (np.ascontiguousarray(a.transpose(layout)) for a in (x, y))
        self.x, self.y = torch.from_numpy(x), torch.from_numpy(y)
        self.slices = batches(len(x), batch)
        self.device = torch_device()
        self.model = model().to(self.device)
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=ADAM["learning_rate"],
                                          eps=ADAM["epsilon"], foreach=True)

    def train_epoch(self):
        torch_epoch(self.model, torch_bce, self.optimizer, self.x, self.y, self.slices,
                    self.device)


# -- the benchmarks -------------------------------------------------------------
CASES = {"V": ("ConvLSTM2D video", video_data, lamina_video, VIDEO_BATCH),
         "R": ("LSTM recurrent_dropout", text_data, lamina_text, TEXT_BATCH),
         "E": ("Conv autoencoder", image_data, lamina_autoencoder, IMAGE_BATCH)}


def raw_variants(engine, case, x, y, extra):
    """The hand-written variants of ``case`` on ``engine``: {"raw": ...} and, with
    "scan" in ``extra``, V's plain ``lax.scan`` as "scan"."""
    if engine == "torch":
        model, layout = {"V": (torch_video_model, (0, 1, 4, 2, 3)),
                         "R": (torch_text_model, None),
                         "E": (torch_autoencoder, (0, 3, 1, 2))}[case]
        return {"raw": RawTorch(model, x, y, CASES[case][3], layout)}
    if case == "R":
        return {"raw": RawJaxText(x, y)}
    if case == "E":
        return {"raw": RawJax(jax_autoencoder_parameters, lambda p, x: x,
                              jax_autoencoder_loss, x, y, IMAGE_BATCH)}
    found = {"raw": RawJax(jax_video_parameters, lambda p, x: x, jax_video_loss(True), x, y,
                           VIDEO_BATCH)}
    if "scan" in extra:
        found["scan"] = RawJax(jax_video_parameters, lambda p, x: x, jax_video_loss(1), x, y,
                               VIDEO_BATCH)
    return found


def worker(engine, cases, rounds, extra):
    """Interleaved rounds of each case's training epochs; prints JSON timings under
    "<case>_<variant>"."""
    start_worker(engine)
    tasks = []
    for case in cases:
        _, data, build, batch = CASES[case]
        x, y = data()
        variants = raw_variants(engine, case, x, y, extra)
        variants["lamina"] = Lamina(build, x, y, batch)
        for v in variants.values():  # warm-up: compile, first-touch memory
            v.train_epoch()
        tasks.append((case, {name: v.train_epoch for name, v in variants.items()}))
    print(json.dumps(interleaved_rounds(tasks, rounds)))


def main():
    parser = argparse.ArgumentParser(description="lamina on real programs' paths against "
                                                 "hand-written loops")
    parser.add_argument("--engines", nargs="+", default=["jax", "torch"])
    parser.add_argument("--cases", nargs="+", default=list(CASES), choices=list(CASES))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--variants", nargs="*", default=[], choices=["scan"],
                        help="extra hand-written variants: scan (V's plain lax.scan, jax)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    add_device_option(parser)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.cases, args.rounds, args.variants)
        return
    print(TABLE_HEADER)
    for engine in args.engines:
        times = run_worker("program_cases", engine,
                           ["--rounds", str(args.rounds), "--cases", *args.cases,
                            "--variants", *args.variants], args.device)
        for case in args.cases:
            print(table_row(engine, f"{case}: {CASES[case][0]}, one epoch", times, case,
                            TARGET))
            if f"{case}_scan" in times:
                scan = statistics.median(times[f"{case}_scan"])
                print(f"| {engine} | {case}: hand-written plain lax.scan | {scan:.3f} | | | | |")


if __name__ == "__main__":
    main()
