"""A training run the distribution tests start on one or several processes (and run
in the test process as the single-process reference).

``python distributed_worker.py OUT_DIR MODES``: initializes from the launcher's
environment and, for each of the comma-separated MODES, trains a small classifier for
3 epochs on global batches of 8 (``data``: under ``DataParallel``, then ``evaluate``
on per-process shards and the moving mean of a BatchNormalization; ``model``:
``ModelParallel`` with the hidden Dense kernel split over a ``model`` axis of a 2x2
mesh; ``die``: ``DataParallel``, and process 1 exits after its first step), then
writes what each process saw to ``OUT_DIR/<mode>_<process>.json`` (process 0 also
writes a checkpoint at each epoch's end, ``OUT_DIR/checkpoint_<mode>.lamina``).
"""

import json
import os
import sys

import numpy as np

from lamina import distribution


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(29, 5)).astype("float32")  # the last batch, 5, splits unevenly
    labels = np.argmax(x @ rng.normal(size=(5, 3)), axis=1)
    return x, np.eye(3, dtype="float32")[labels]


def build():
    from lamina import Input, Model, layers, optimizers
    from lamina.utils import set_random_seed
    set_random_seed(0)
    inputs = Input((5,))
    hidden = layers.Dense(8, activation="tanh", name="hidden")(inputs)
    model = Model(inputs, layers.Dense(3, activation="softmax", name="probs")(hidden))
    model.compile(optimizer=optimizers.Adam(0.05), loss="categorical_crossentropy",
                  metrics=["accuracy"])
    return model


def train(model, out_dir, callbacks=(), name="checkpoint"):
    from lamina.callbacks import ModelCheckpoint
    x, y = data()
    checkpoint = ModelCheckpoint(os.path.join(out_dir, f"{name}.lamina"))
    history = model.fit(x, y, batch_size=8, epochs=3, verbose=1, shuffle=True,
                        callbacks=[checkpoint, *callbacks])
    return {"history": history.history,
            "evaluate": model.evaluate(x, y, batch_size=8, verbose=0, return_dict=True),
            "predict": model.predict(x[:7], batch_size=4, verbose=0).tolist(),
            "weights": [w.tolist() for w in model.get_weights()]}


def batch_norm_statistics():
    """The moving mean of a BatchNormalization after an epoch (each process sees its shard)."""
    from lamina import Sequential, layers
    model = Sequential([layers.Input((5,)), layers.Dense(4), layers.BatchNormalization(),
                        layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss="categorical_crossentropy")
    x, y = data()
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    return model.layers[1].moving_mean.numpy().tolist()


def evaluate_own_shards(model):
    """``evaluate`` where each process's generator yields only its own rows (14 of the
    first 28 samples, in batches of 7), under ``auto_shard_dataset=False``."""
    x, y = data()
    rank, count = distribution.process_index(), distribution.process_count()
    rows = slice(rank * 28 // count, (rank + 1) * 28 // count)
    mine = [(x[rows][i:i + 7], y[rows][i:i + 7]) for i in range(0, 28 // count, 7)]
    distribution.set_distribution(distribution.DataParallel(auto_shard_dataset=False))
    return model.evaluate(iter(mine), steps=len(mine), verbose=0, return_dict=True)


def sharded_layout():
    mesh = distribution.DeviceMesh((2, 2), ["batch", "model"])
    layouts = distribution.LayoutMap(mesh)
    layouts["hidden/kernel"] = (None, "model")
    layouts["hidden/bias"] = ("model",)
    return distribution.ModelParallel(layout_map=layouts, batch_dim_name="batch")


def main(out_dir, modes):
    from lamina.callbacks import LambdaCallback
    distribution.initialize()
    rank = distribution.process_index()
    for mode in modes.split(","):
        setting = sharded_layout() if mode == "model" else distribution.DataParallel()
        distribution.set_distribution(setting)
        model = build()
        callbacks = []
        if mode == "die" and rank == 1:
            callbacks.append(LambdaCallback(on_train_batch_end=lambda batch, logs: os._exit(3)))
        result = train(model, out_dir, callbacks, f"checkpoint_{mode}")
        kernel = model.get_layer("hidden").kernel.value
        if hasattr(kernel, "sharding"):  # jax: on how many devices, in how many pieces
            result["kernel_devices"] = len(kernel.sharding.device_set)
            result["kernel_pieces"] = len({str(s.index) for s in kernel.addressable_shards})
        if mode == "data":
            result["evaluate_own_shards"] = evaluate_own_shards(model)
            distribution.set_distribution(distribution.DataParallel())
            result["moving_mean"] = batch_norm_statistics()
        with open(os.path.join(out_dir, f"{mode}_{rank}.json"), "w") as f:
            json.dump(result, f)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "data")
