"""lamina's main example: the article's model shape, with its custom MyDense layer and
its custom loss, trained on scikit-learn's handwritten digits (8x8 images, bundled with
scikit-learn: no download) to about 98% test accuracy.

Run: python examples/digits_custom_layer.py [--epochs N] [--out DIR]
(LAMINA_BACKEND=jax|torch picks the engine; needs `pip install -e ".[all,examples]"`.)

It prints the model's summary, one line per epoch and the test accuracy, and writes
into the current folder (or into --out) the model picture (digits_model.png) and the
loss and accuracy curves (digits_curves.png).
"""

import argparse
import importlib
from pathlib import Path

import numpy as np

import lamina
from lamina import backend as K
from lamina import layers, losses, utils
from lamina.models import Model


class MyDense(layers.Layer):
    """The article's custom layer, as the article writes it."""

    def __init__(self, units=32):
        super(MyDense, self).__init__()
        self.units = units

    def build(self, input_shape):
        self.w = K.variable(K.random_normal(shape=[input_shape[-1], self.units]))      # trainable
        self.b = K.Variable(K.random_normal(shape=[self.units]), trainable=True)      # trainable
        self.a = K.Variable(K.random_normal(shape=[self.units]), trainable=False)     # non-trainable

    def call(self, inputs):
        return K.dot(inputs, self.w) + self.b


def customed_loss(true_label, predict_label):
    """The article's custom loss: cross-entropy plus the batch's largest output."""
    loss = losses.categorical_crossentropy(true_label, predict_label)
    loss += K.max(predict_label)
    return loss


def build_model():
    """The article's single-input model, for 8x8 images instead of 28x28."""
    input_feature = lamina.Input([8, 8])
    x = layers.Reshape(target_shape=[8 * 8])(input_feature)
    x = layers.Dense(500, activation="relu")(x)
    x = MyDense(100)(x)
    x = layers.Dense(10, activation="softmax")(x)
    return Model(input_feature, x)


def load_digits(seed=0):
    """Train and test splits of the digits, scaled to [0, 1], labels one-hot."""
    from sklearn.datasets import load_digits as sklearn_digits
    digits = sklearn_digits()
    images = (digits.images / 16.0).astype("float32")
    labels = utils.to_categorical(digits.target, 10)
    order = np.random.default_rng(seed).permutation(len(images))
    split = int(0.8 * len(images))
    train, test = order[:split], order[split:]
    return (images[train], labels[train]), (images[test], labels[test])


def plot_curves(history, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    epochs = np.arange(1, len(history["loss"]) + 1)
    left.plot(epochs, history["loss"], label="train")
    left.plot(epochs, history["val_loss"], label="validation")
    left.set(title="loss", xlabel="epoch")
    right.plot(epochs, history["accuracy"], label="train")
    right.plot(epochs, history["val_accuracy"], label="validation")
    right.set(title="accuracy", xlabel="epoch")
    for ax in (left, right):
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(epochs=30, out=None, verbose=2, seed=0):
    """Train, then return the test accuracy."""
    utils.set_random_seed(seed)
    (x_train, y_train), (x_test, y_test) = load_digits(seed)
    model = build_model()
    if verbose:
        model.summary()
    model.compile(optimizer="rmsprop", loss=customed_loss, metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=32, epochs=epochs,
                        validation_split=0.1, verbose=verbose)
    _, accuracy = model.evaluate(x_test, y_test, verbose=0)
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        utils.plot_model(model, to_file=str(out / "digits_model.png"), show_shapes=True)
        plot_curves(history.history, out / "digits_curves.png")
        if verbose:
            print(f"wrote {out / 'digits_model.png'} and {out / 'digits_curves.png'}")
    return accuracy


def require_scikit_learn():
    """Exit with the command that installs scikit-learn when it is missing."""
    try:
        importlib.import_module("sklearn")
    except ModuleNotFoundError:
        raise SystemExit("This example trains on scikit-learn's bundled digits; install it "
                         "with lamina's examples extra: pip install -e \".[all,examples]\"")


if __name__ == "__main__":
    require_scikit_learn()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--out", default=".",
                        help="the folder the pictures are written to (default: the current one)")
    args = parser.parse_args()
    if K.backend() == "numpy":
        raise SystemExit("Training needs the jax or torch engine: LAMINA_BACKEND=jax or torch.")
    test_accuracy = main(args.epochs, args.out)
    print(f"{K.backend()}: test accuracy {test_accuracy:.4f}")
