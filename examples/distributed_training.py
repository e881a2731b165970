"""Data-parallel training with lamina.distribution: the same script runs on one
process, or on several started by a launcher, on jax or torch.

    python examples/distributed_training.py                     # one process
    python -m lamina.distribution.launch --nproc 2 examples/distributed_training.py
    LAMINA_BACKEND=torch torchrun --nproc_per_node=2 examples/distributed_training.py

On jax, one process can also spread each batch over several devices of its own:

    XLA_FLAGS=--xla_force_host_platform_device_count=4 python examples/distributed_training.py

Every process loads the same arrays; ``fit`` splits each global batch of 64 between
the processes (and devices), averages the gradients, logs the loss and accuracy of
the whole batch, and only process 0 prints the progress bar and writes the
checkpoint, an ordinary ``.lamina`` file that loads on one process.
"""

import os
import sys
import tempfile

import numpy as np

from lamina import distribution

distribution.initialize()  # reads the launcher's environment; one process: nothing to do

from lamina import Input, Model, layers, saving  # noqa: E402
from lamina.callbacks import ModelCheckpoint  # noqa: E402


def blobs(n=1024, features=20, classes=4):
    """Classes a linear map separates, the same arrays on every process."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, features)).astype("float32")
    labels = np.argmax(x @ rng.normal(size=(features, classes)), axis=1)
    return x, np.eye(classes, dtype="float32")[labels]


def main(folder):
    os.makedirs(folder, exist_ok=True)
    distribution.set_distribution(distribution.DataParallel())
    rank, processes = distribution.process_index(), distribution.process_count()
    devices = distribution.list_devices()
    if rank == 0:
        print(f"{processes} process(es), {len(devices)} device(s): {devices}")

    inputs = Input((20,))
    hidden = layers.Dense(64, activation="relu")(inputs)
    model = Model(inputs, layers.Dense(4, activation="softmax")(hidden))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])

    x, y = blobs()
    path = os.path.join(folder, "distributed.lamina")
    history = model.fit(x, y, batch_size=64, epochs=5, verbose=2,
                        callbacks=[ModelCheckpoint(path)])
    if rank == 0:
        print(f"final accuracy: {history.history['accuracy'][-1]:.3f}")
        restored = saving.load_model(path)  # one ordinary file, gathered weights
        same = all(np.allclose(a, b) for a, b in zip(restored.get_weights(),
                                                     model.get_weights()))
        print(f"checkpoint {path} reloads with the trained weights: {same}")


if __name__ == "__main__":
    # one folder for every process of the job (process 0 alone writes into it)
    main(sys.argv[1] if len(sys.argv) > 1 else
         os.path.join(tempfile.gettempdir(), "lamina_distributed_example"))
