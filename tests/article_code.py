"""The article's code (a blog post on Keras custom layers and custom losses, written for
Keras 2) as the article writes it, with only its imports changed: ``from keras import
...`` -> ``from lamina import ...``, ``keras.losses`` -> ``lamina.losses`` and
``tf.Variable`` -> ``K.Variable``.

The article's examples are script fragments; each function below holds one fragment's lines
unchanged and only names what the fragment leaves to its reader (the tensor ``x`` a dropout
is applied to, the model an ``add_loss`` goes on) as arguments, and returns what it built.
Building ``mydense_model`` and ``mylayer_model`` prints their summary and writes
``model.png`` in the working directory, as in the article.
"""

import lamina
from lamina import backend as K
from lamina import layers, Model, Input, utils


# -- Custom layers: Lambda layer ----------------------------------------------------------

def my_layer(x):
    mask = K.random_binomial(K.shape(x), 0.5)
    return x * mask * 2


def lambda_dropout(x):
    """Example 1: the dropout as a Lambda layer."""
    x = layers.Lambda(my_layer)(x)
    return x


def inline_dropout(x):
    """Example 2: the same mask written directly on the tensor after Dense(500)."""
    x = layers.Dense(500, activation='relu')(x)
    mask = K.random_binomial(K.shape(x), 0.5)
    x = x * mask * 2
    return x


# -- Custom layers: subclassing Layer, single input ---------------------------------------

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


def mydense_model():
    """Example 3: the MyDense model, its summary and its picture."""
    input_feature = Input([None, 28, 28])
    x = layers.Reshape(target_shape=[28 * 28])(input_feature)
    x = layers.Dense(500, activation='relu')(x)
    x = MyDense(100)(x)
    x = layers.Dense(10, activation='softmax')(x)
    model = Model(input_feature, x)
    model.summary()
    utils.plot_model(model)
    return model


# -- Custom layers: several inputs ---------------------------------------------------------

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


def mylayer_model():
    """Example 4: the two-branch MyLayer model, its summary and its picture."""
    input_feature = Input([None, 28, 28])
    x = layers.Reshape(target_shape=[28 * 28])(input_feature)
    x1 = layers.Dense(500, activation='relu')(x)
    x2 = layers.Dense(500, activation='relu')(x)
    x = MyLayer([100, 80])([x1, x2])
    x = layers.Dense(10, activation='softmax')(x)
    model = Model(input_feature, x)
    model.summary()
    utils.plot_model(model, show_layer_names=False, show_shapes=True)
    return model


# -- Custom losses: a loss of the labels and the output ----------------------------------

def customed_loss(true_label, predict_label):
    loss = lamina.losses.categorical_crossentropy(true_label, predict_label)
    loss += K.max(predict_label)
    return loss


def compile_with_customed_loss(model):
    """Example 5."""
    model.compile(optimizer='rmsprop', loss=customed_loss)


def with_hidden_output(input, model_output, hidden_layer_output):
    """Example 6: a hidden layer's output made an extra model output."""
    model = Model(input, [model_output, hidden_layer_output])
    return model


# -- Custom losses: a loss of internal outputs only (add_loss) ------------------------------

def add_loss_and_compile(model, somelayer_output):
    """Example 7: a loss of a layer's output added to the model, compiled without a loss."""
    loss = 100000 * K.mean(K.square(somelayer_output))  # somelayer_output: a layer's output from building the model
    model.add_loss(loss)
    model.compile(optimizer='rmsprop')
