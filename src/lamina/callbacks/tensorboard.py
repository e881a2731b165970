"""``TensorBoard``: write the training curves, weight histograms and images, the model's
summary and embeddings as TensorBoard event files, with tensorboardX's writer
(``pip install lamina[tensorboard]``). Browse them with ``tensorboard --logdir logs``.

>>> import os, tempfile
>>> import numpy as np
>>> from lamina import Input, Model, layers
>>> x = Input((3,)); model = Model(x, layers.Dense(1)(x))
>>> board = TensorBoard(log_dir=os.path.join(tempfile.mkdtemp(), "logs"))
>>> board.set_model(model)
>>> board.on_train_begin()
>>> board.on_epoch_end(0, {"loss": 0.5, "val_loss": 0.75})
>>> board.on_train_end()
>>> sorted(os.listdir(board.log_dir))
['train', 'validation']
"""

import os
import time

import numpy as np

from lamina.callbacks._save_freq import BatchCounter, first_step
from lamina.callbacks.callback import Callback


def _summary_writer(owner):
    try:
        from tensorboardX import SummaryWriter
    except ImportError:
        raise ImportError(f"{owner} writes its event files with tensorboardX, which is not "
                          "installed. Install it with `pip install tensorboardX` (or "
                          "`pip install lamina[tensorboard]`).") from None
    return SummaryWriter


def _check_update_freq(update_freq):
    if update_freq in ("epoch", "batch"):
        return update_freq
    if isinstance(update_freq, bool) or not isinstance(update_freq, int) or update_freq < 1:
        raise ValueError(f"TensorBoard: update_freq must be 'epoch', 'batch' or an int >= 1 "
                         f"(a number of batches). Received update_freq={update_freq!r}.")
    return update_freq


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"TensorBoard: {name} must be an int >= 0 (0 turns it off). "
                         f"Received {name}={value!r}.")
    return value


def _number(value):
    """``value`` as a float, or None for a log entry that is not a number."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _as_image(weight):
    """``weight`` as a stack of grey images ``(N, 1, H, W)`` scaled to [0, 1], or None
    for a rank TensorBoard cannot show (4-D kernels and up)."""
    w = np.squeeze(np.asarray(weight, dtype="float32"))
    if w.ndim == 1:
        w = w[:, None]
    if w.ndim == 2:
        w = (w.T if w.shape[0] > w.shape[1] else w)[None]
    elif w.ndim == 3:
        w = np.moveaxis(w, -1, 0)  # one image per output channel
    else:
        return None
    low, high = w.min(), w.max()
    scaled = (w - low) / (high - low) if high > low else np.zeros_like(w)
    return scaled[:, None]


class TensorBoard(Callback):
    """Writes TensorBoard event files under ``log_dir`` during ``fit`` and ``evaluate``.

    Each epoch's logs become scalars named ``epoch_<name>`` at step ``epoch`` (from 0):
    the training values in ``log_dir/train``, the ``val_`` values (without the prefix)
    in ``log_dir/validation``, so TensorBoard draws ``loss`` and ``val_loss`` as two
    runs of one chart. The optimizer's learning rate (a schedule's current value
    included) is logged as ``epoch_learning_rate``. An ``evaluate`` (also the one
    ``fit`` runs for validation) writes ``evaluation_<name>_vs_iterations`` in
    ``validation`` at the optimizer's step count.

    - ``update_freq='batch'`` or an int N also writes ``batch_<name>`` every (N)
      training batches, at the number of batches run so far (from 1, across epochs).
    - ``histogram_freq=N`` writes a histogram of every weight every N epochs, tagged
      ``<layer>/<weight>/histogram``; ``write_images=True`` also writes weights of
      rank 1 to 3 as grey images (scaled to [0, 1]; a 3-D kernel one image per output
      channel), tagged ``<layer>/<weight>/image``.
    - ``write_graph=True`` writes the model's summary table (``model.summary()``) as a
      text entry ``model_summary`` in ``train`` (TensorBoard's Text tab): lamina's
      graph is not a TensorFlow graph, so there is no Graphs tab entry.
    - ``write_steps_per_second=True`` adds ``epoch_steps_per_second`` and
      ``batch_steps_per_second``.
    - ``embeddings_freq=N`` writes the weights of every ``Embedding`` layer for the
      projector every N epochs; ``embeddings_metadata`` is a file of labels (one
      line per row, optionally a header line; tab-separated columns), or a dict from
      layer name to such a file.
    - ``profile_batch`` must be 0: lamina does not profile (use ``jax.profiler`` or
      ``torch.profiler``); any other value is an error rather than a silent no-op.

    In ``fit``: ``model.fit(x, y, epochs=5, callbacks=[TensorBoard("logs")])``. The
    hooks can also be called by hand:

    >>> import os, tempfile
    >>> from lamina import Input, Model, layers
    >>> x = Input((2,)); model = Model(x, layers.Dense(1, name="out")(x))
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> board = TensorBoard(os.path.join(tempfile.mkdtemp(), "logs"), histogram_freq=1,
    ...                     update_freq="batch")
    >>> board.set_model(model)
    >>> board.on_train_begin()
    >>> board.on_epoch_begin(0)
    >>> board.on_train_batch_begin(0)
    >>> board.on_train_batch_end(0, {"loss": 0.9})
    >>> board.on_epoch_end(0, {"loss": 0.9})
    >>> board.on_train_end()
    >>> os.listdir(board.log_dir)
    ['train']
    """

    def __init__(self, log_dir="logs", histogram_freq=0, write_graph=True, write_images=False,
                 write_steps_per_second=False, update_freq="epoch", profile_batch=0,
                 embeddings_freq=0, embeddings_metadata=None):
        super().__init__()
        self._writer_class = _summary_writer("TensorBoard")
        if profile_batch not in (0, None):
            raise ValueError(f"TensorBoard: lamina does not profile batches; profile_batch must "
                             f"be 0. Received profile_batch={profile_batch!r}. Profile with "
                             "jax.profiler or torch.profiler instead.")
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = _check_count("histogram_freq", histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = _check_update_freq(update_freq)
        self.profile_batch = 0
        self.embeddings_freq = _check_count("embeddings_freq", embeddings_freq)
        self.embeddings_metadata = embeddings_metadata
        self._writers = {}
        self._counter = None
        self._step = 0  # training batches run so far, across epochs
        self._epoch_base = 0  # self._step - batch - 1 for the batches of this epoch
        self._epoch_steps = 0  # self._step when this epoch began
        self._epoch_start = None
        self._batch_start = None
        self._graph_written = False

    # -- writers ----------------------------------------------------------------
    def _writer(self, run):
        if run not in self._writers:
            self._writers[run] = self._writer_class(os.path.join(self.log_dir, run))
        return self._writers[run]

    def _scalars(self, run, prefix, logs, step):
        writer = None
        for name, value in logs.items():
            value = _number(value)
            if value is not None:
                writer = writer or self._writer(run)
                writer.add_scalar(prefix + name, value, step)

    def _close(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # -- hooks ------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._step = 0
        self._graph_written = False
        every = 1 if self.update_freq == "batch" else self.update_freq
        self._counter = None if every == "epoch" else BatchCounter(every)

    def on_train_end(self, logs=None):
        self._close()

    def on_epoch_begin(self, epoch, logs=None):
        start = first_step(self.model, epoch)
        self._epoch_base = self._step - start
        self._epoch_steps = self._step
        self._epoch_start = time.perf_counter()
        if self._counter is not None:
            self._counter.start_epoch(start)

    def on_train_batch_begin(self, batch, logs=None):
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        previous, self._step = self._step, self._epoch_base + batch + 1
        if self._counter is None or not self._counter.due(batch):
            return
        logs = dict(logs or {})
        if self.write_steps_per_second and self._batch_start is not None:
            elapsed = time.perf_counter() - self._batch_start
            logs["steps_per_second"] = (self._step - previous) / elapsed if elapsed > 0 else 0.0
        self._scalars("train", "batch_", logs, self._step)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        train = {k: v for k, v in logs.items() if not k.startswith("val_")}
        rate = self._learning_rate()
        if rate is not None:
            train["learning_rate"] = rate
        if self.write_steps_per_second and self._epoch_start is not None:
            elapsed = time.perf_counter() - self._epoch_start
            train["steps_per_second"] = (self._step - self._epoch_steps) / elapsed \
                if elapsed > 0 else 0.0
        self._scalars("train", "epoch_", train, epoch)
        self._scalars("validation", "epoch_",
                      {k[4:]: v for k, v in logs.items() if k.startswith("val_")}, epoch)
        if self.write_graph and not self._graph_written:
            self._write_summary()
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._write_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            self._write_embeddings(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        if logs and iterations is not None:
            self._scalars("validation", "evaluation_",
                          {f"{k}_vs_iterations": v for k, v in logs.items()}, int(iterations))
            self._writer("validation").flush()

    # -- what is written --------------------------------------------------------
    def _learning_rate(self):
        optimizer = getattr(self.model, "optimizer", None)
        return _number(getattr(optimizer, "learning_rate", None)) if optimizer else None

    def _write_summary(self):
        if not getattr(self.model, "built", False):
            return
        lines = []
        self.model.summary(print_fn=lines.append)
        text = "\n".join("    " + line for line in "\n".join(lines).splitlines())
        self._writer("train").add_text("model_summary", text, 0)
        self._graph_written = True

    def _write_weights(self, epoch):
        writer = self._writer("train")
        for layer in self.model.layers:
            for weight in layer.weights:
                tag = f"{layer.name}/{weight.name}".replace(":", "_")
                value = np.asarray(weight.numpy())
                writer.add_histogram(f"{tag}/histogram", value, epoch)
                image = _as_image(value) if self.write_images else None
                if image is not None:
                    writer.add_images(f"{tag}/image", image, epoch, dataformats="NCHW")

    def _write_embeddings(self, epoch):
        for layer in self.model.layers:
            if type(layer).__name__ != "Embedding" or not hasattr(layer, "embeddings"):
                continue
            matrix = np.asarray(layer.embeddings.numpy())
            labels, header = self._embedding_labels(layer.name, len(matrix))
            self._writer("train").add_embedding(matrix, metadata=labels, global_step=epoch,
                                                tag=layer.name, metadata_header=header)

    def _embedding_labels(self, layer_name, rows):
        path = self.embeddings_metadata
        if isinstance(path, dict):
            path = path.get(layer_name)
        if path is None:
            return None, None
        with open(path, encoding="utf-8") as f:
            lines = [line.rstrip("\n").split("\t") for line in f if line.strip()]
        header = None
        if len(lines) == rows + 1:
            header, lines = lines[0], lines[1:]
        if len(lines) != rows:
            raise ValueError(f"TensorBoard: embeddings_metadata file {path!r} for layer "
                             f"{layer_name!r} has {len(lines)} label lines; the layer has "
                             f"{rows} embeddings (one line each, plus an optional header).")
        if header is None and all(len(line) == 1 for line in lines):
            return [line[0] for line in lines], None
        return lines, header
