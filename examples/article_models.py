"""The two custom-layer models of the article lamina starts from (a blog post on Keras
custom layers and custom losses, written for Keras 2), with only the imports changed.

Builds the single-input model with MyDense and the two-branch model with MyLayer, prints
their summaries and writes their pictures, mydense_model.png and mylayer_model.png, into
the current folder (or into the folder given as the first argument). Runs on every
engine:

    LAMINA_BACKEND=torch python examples/article_models.py [FOLDER]
"""

import os
import sys

from lamina import Input, Model, layers, utils
from lamina import backend as K


class MyDense(layers.Layer):
    def __init__(self, units=32):
        super(MyDense, self).__init__()
        self.units = units

    def build(self, input_shape):
        self.w = K.variable(K.random_normal(shape=[input_shape[-1], self.units]))      # trainable
        self.b = K.Variable(K.random_normal(shape=[self.units]), trainable=True)      # trainable
        self.a = K.Variable(K.random_normal(shape=[self.units]), trainable=False)     # non-trainable

    def call(self, inputs):
        return K.dot(inputs, self.w) + self.b


class MyLayer(layers.Layer):
    def __init__(self, output_dims):
        super(MyLayer, self).__init__()
        self.output_dims = output_dims

    def build(self, input_shape):
        [dim1, dim2] = self.output_dims
        self.w1 = K.Variable(K.random_uniform(shape=[input_shape[0][-1], dim1]))
        self.b1 = K.Variable(K.random_uniform(shape=[dim1]))
        self.w2 = K.Variable(K.random_uniform(shape=[input_shape[1][-1], dim2]))
        self.b2 = K.Variable(K.random_uniform(shape=[dim2]))

    def call(self, x):
        [x1, x2] = x
        y1 = K.dot(x1, self.w1) + self.b1
        y2 = K.dot(x2, self.w2) + self.b2
        return K.concatenate([y1, y2], axis=-1)


def main(folder):
    os.makedirs(folder, exist_ok=True)
    input_feature = Input([None, 28, 28])
    x = layers.Reshape(target_shape=[28 * 28])(input_feature)
    x = layers.Dense(500, activation='relu')(x)
    x = MyDense(100)(x)
    x = layers.Dense(10, activation='softmax')(x)
    model = Model(input_feature, x)
    model.summary()
    utils.plot_model(model, to_file=os.path.join(folder, "mydense_model.png"))

    input_feature = Input([None, 28, 28])
    x = layers.Reshape(target_shape=[28 * 28])(input_feature)
    x1 = layers.Dense(500, activation='relu')(x)
    x2 = layers.Dense(500, activation='relu')(x)
    x = MyLayer([100, 80])([x1, x2])
    x = layers.Dense(10, activation='softmax')(x)
    model = Model(input_feature, x)
    model.summary()
    utils.plot_model(model, to_file=os.path.join(folder, "mylayer_model.png"),
                     show_layer_names=False, show_shapes=True)
    print(f"pictures written to {os.path.abspath(folder)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.curdir)
