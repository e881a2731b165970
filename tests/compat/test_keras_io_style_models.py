"""Keras-style programs in the manner of the keras.io examples, written for lamina.

Each model is a tiny version of a well-known example's architecture: a vision
transformer, a compact convolutional transformer, an MLP-Mixer, a PixelCNN and the
text-classification transformer block. Their custom layers hold other layers,
created in ``__init__`` or ``build`` and first called in ``call``, as Keras users
write them (``import lamina as keras``). On jax and torch each trains for a few
epochs (the loss is finite and falls); on numpy each predicts. Every model predicts
with the right shape and a saved and loaded copy predicts the same.
"""

import numpy as np
import pytest

import lamina as keras
from lamina import backend as K
from lamina import ops

ENGINE = K.backend()

PACKAGE = "keras_io_style"
IMAGE_SIZE, PATCH_SIZE, DIM, CLASSES, SAMPLES = 8, 4, 16, 2, 32
NUM_PATCHES = (IMAGE_SIZE // PATCH_SIZE) ** 2


# -- data --------------------------------------------------------------------------------
def bright_corner_images(n=SAMPLES, channels=3, seed=0):
    """Noise images; class 1 has a bright top-left quarter."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, CLASSES, size=n)
    x = rng.normal(scale=0.5, size=(n, IMAGE_SIZE, IMAGE_SIZE, channels)).astype("float32")
    x[labels == 1, :IMAGE_SIZE // 2, :IMAGE_SIZE // 2] += 1.5
    return x, labels.astype("int32")


def stripe_images(n=SAMPLES, seed=0):
    """Binary 8x8 images of vertical stripes of random width and phase: every pixel
    follows from the pixels above it, which a PixelCNN learns."""
    rng = np.random.default_rng(seed)
    width = rng.integers(1, 3, size=(n, 1))
    phase = rng.integers(0, 4, size=(n, 1))
    columns = ((np.arange(IMAGE_SIZE)[None, :] + phase) // width) % 2
    return np.repeat(columns[:, None, :], IMAGE_SIZE, axis=1)[..., None].astype("float32")


def token_sequences(n=SAMPLES, maxlen=8, vocab=20, seed=0):
    """Integer sequences; the label says whether token 3 occurs."""
    rng = np.random.default_rng(seed)
    x = rng.integers(4, vocab, size=(n, maxlen))
    labels = rng.integers(0, 2, size=n)
    positions = rng.integers(0, maxlen, size=n)
    x[labels == 1, positions[labels == 1]] = 3
    return x.astype("float32"), labels.astype("int32")


def assert_weights_are_real_arrays(model):
    """Built outside shape inference: no jax tracer, no torch tensor on ``meta``."""
    for w in model.weights:
        if ENGINE == "jax":
            import jax
            assert not isinstance(w.value, jax.core.Tracer), w.name
        elif ENGINE == "torch":
            assert w.value.device.type == "cpu", (w.name, w.value.device)


def fit_and_check(model, x, y, loss, tmp_path, epochs=3, batch_size=8):
    """Train (jax, torch) or only predict (numpy); check the loss falls, the prediction's
    shape, and that a saved and loaded model predicts the same."""
    assert_weights_are_real_arrays(model)
    keras.utils.set_random_seed(0)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss=loss)
    if ENGINE != "numpy":
        history = model.fit(x, y, epochs=epochs, batch_size=batch_size, verbose=0)
        losses = history.history["loss"]
        assert len(losses) == epochs and np.all(np.isfinite(losses)), losses
        assert losses[-1] < losses[0], losses
    predictions = model.predict(x, batch_size=batch_size, verbose=0)
    assert np.all(np.isfinite(predictions))
    path = str(tmp_path / "model.lamina")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(x, batch_size=batch_size, verbose=0),
                               predictions, rtol=1e-4, atol=1e-5)
    return predictions


# -- shared pieces: patches and a transformer encoder written functionally ----------------
@keras.saving.register_keras_serializable(package=PACKAGE)
class Patches(keras.layers.Layer):
    """Cut images into non-overlapping square patches by reshapes and a transpose:
    ``(batch, h, w, c)`` -> ``(batch, patches, patch_size * patch_size * c)``."""

    def __init__(self, patch_size, **kwargs):
        super().__init__(**kwargs)
        self.patch_size = patch_size

    def call(self, images):
        batch = ops.shape(images)[0]
        height, width, channels = images.shape[1], images.shape[2], images.shape[3]
        rows, columns = height // self.patch_size, width // self.patch_size
        patches = ops.reshape(images, (batch, rows, self.patch_size, columns,
                                       self.patch_size, channels))
        patches = ops.transpose(patches, (0, 1, 3, 2, 4, 5))
        return ops.reshape(patches, (batch, rows * columns,
                                     self.patch_size * self.patch_size * channels))

    def get_config(self):
        config = super().get_config()
        config.update({"patch_size": self.patch_size})
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class PatchEncoder(keras.layers.Layer):
    """A linear projection of each patch plus a learned embedding of its position."""

    def __init__(self, num_patches, projection_dim, **kwargs):
        super().__init__(**kwargs)
        self.num_patches = num_patches
        self.projection_dim = projection_dim
        self.projection = keras.layers.Dense(units=projection_dim)
        self.position_embedding = keras.layers.Embedding(input_dim=num_patches,
                                                         output_dim=projection_dim)

    def call(self, patch):
        positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1), axis=0)
        return self.projection(patch) + self.position_embedding(positions)

    def get_config(self):
        config = super().get_config()
        config.update({"num_patches": self.num_patches, "projection_dim": self.projection_dim})
        return config


def mlp(x, hidden_units, dropout_rate):
    for units in hidden_units:
        x = keras.layers.Dense(units, activation="gelu")(x)
        x = keras.layers.Dropout(dropout_rate)(x)
    return x


def transformer_encoder(encoded, layers=2, heads=2):
    for _ in range(layers):
        x1 = keras.layers.LayerNormalization(epsilon=1e-6)(encoded)
        attention = keras.layers.MultiHeadAttention(num_heads=heads, key_dim=DIM // heads,
                                                    dropout=0.1)(x1, x1)
        x2 = keras.layers.Add()([attention, encoded])
        x3 = keras.layers.LayerNormalization(epsilon=1e-6)(x2)
        x3 = mlp(x3, hidden_units=[2 * DIM, DIM], dropout_rate=0.1)
        encoded = keras.layers.Add()([x3, x2])
    return encoded


# -- vision transformer -------------------------------------------------------------------
def vision_transformer(conv_patches):
    inputs = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 3))
    if conv_patches:
        patches = keras.layers.Conv2D(DIM, PATCH_SIZE, strides=PATCH_SIZE)(inputs)
        patches = keras.layers.Reshape((NUM_PATCHES, DIM))(patches)
    else:
        patches = Patches(PATCH_SIZE)(inputs)
    encoded = PatchEncoder(NUM_PATCHES, DIM)(patches)
    encoded = transformer_encoder(encoded)
    representation = keras.layers.LayerNormalization(epsilon=1e-6)(encoded)
    representation = keras.layers.Flatten()(representation)
    representation = keras.layers.Dropout(0.2)(representation)
    features = mlp(representation, hidden_units=[DIM], dropout_rate=0.2)
    logits = keras.layers.Dense(CLASSES)(features)
    return keras.Model(inputs=inputs, outputs=logits)


def test_patches_layer_cuts_images_into_row_major_patches():
    images = np.arange(2 * 8 * 8 * 3, dtype="float32").reshape(2, 8, 8, 3)
    patches = K.convert_to_numpy(Patches(4)(images))
    assert patches.shape == (2, 4, 48)
    np.testing.assert_array_equal(patches[1, 2].reshape(4, 4, 3), images[1, 4:, :4])
    assert Patches(4)(keras.Input((8, 8, 3))).shape == (None, 4, 48)


@pytest.mark.parametrize("conv_patches", [False, True], ids=["reshape_patches", "conv_patches"])
def test_vision_transformer(conv_patches, tmp_path):
    model = vision_transformer(conv_patches)
    assert model.output.shape == (None, CLASSES)
    x, y = bright_corner_images()
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert fit_and_check(model, x, y, loss, tmp_path).shape == (SAMPLES, CLASSES)


# -- compact convolutional transformer ------------------------------------------------------
@keras.saving.register_keras_serializable(package=PACKAGE)
class CCTTokenizer(keras.layers.Layer):
    """Convolutions and max pooling, then the feature map's positions as a sequence."""

    def __init__(self, num_conv_layers=2, num_output_channels=(8, DIM), **kwargs):
        super().__init__(**kwargs)
        self.num_conv_layers = num_conv_layers
        self.num_output_channels = list(num_output_channels)
        self.conv_model = keras.Sequential()
        for i in range(num_conv_layers):
            self.conv_model.add(keras.layers.Conv2D(num_output_channels[i], 3, strides=1,
                                                    padding="same", use_bias=False,
                                                    activation="relu"))
            self.conv_model.add(keras.layers.MaxPooling2D(pool_size=3, strides=2,
                                                          padding="same"))

    def call(self, images):
        outputs = self.conv_model(images)
        return ops.reshape(outputs, (-1, outputs.shape[1] * outputs.shape[2],
                                     outputs.shape[-1]))

    def get_config(self):
        config = super().get_config()
        config.update({"num_conv_layers": self.num_conv_layers,
                       "num_output_channels": self.num_output_channels})
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class PositionEmbedding(keras.layers.Layer):
    """A learned vector per position, created in ``build`` from the sequence length."""

    def build(self, input_shape):
        self.positions = self.add_weight(name="positions", shape=tuple(input_shape[1:]),
                                         initializer="random_normal")

    def call(self, inputs):
        return inputs + self.positions


@keras.saving.register_keras_serializable(package=PACKAGE)
class SequencePooling(keras.layers.Layer):
    """Attention-weighted average over the sequence, the weights from a Dense(1)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.attention = keras.layers.Dense(1)

    def call(self, x):
        attention_weights = ops.softmax(self.attention(x), axis=1)
        attention_weights = ops.transpose(attention_weights, axes=(0, 2, 1))
        weighted_representation = ops.matmul(attention_weights, x)
        return ops.squeeze(weighted_representation, -2)


def compact_convolutional_transformer():
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
    tokens = CCTTokenizer()(inputs)
    encoded = transformer_encoder(PositionEmbedding()(tokens), layers=1)
    representation = keras.layers.LayerNormalization(epsilon=1e-5)(encoded)
    logits = keras.layers.Dense(CLASSES)(SequencePooling()(representation))
    return keras.Model(inputs, logits)


def test_cct_tokenizer_builds_its_convolutions_once_for_the_image_shape():
    tokenizer = CCTTokenizer()
    tokens = tokenizer(keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3)))
    assert tokens.shape == (None, 4, DIM)
    assert [tuple(w.shape) for w in tokenizer.weights] == [(3, 3, 3, 8), (3, 3, 8, DIM)]
    assert tokenizer(np.zeros((3, IMAGE_SIZE, IMAGE_SIZE, 3), "float32")).shape == (3, 4, DIM)


def test_compact_convolutional_transformer(tmp_path):
    model = compact_convolutional_transformer()
    x, y = bright_corner_images()
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert fit_and_check(model, x, y, loss, tmp_path).shape == (SAMPLES, CLASSES)


# -- MLP-Mixer ----------------------------------------------------------------------------
@keras.saving.register_keras_serializable(package=PACKAGE)
class MLPMixerLayer(keras.layers.Layer):
    """Token mixing (an MLP across patches, by transposing) then channel mixing; one
    LayerNormalization applied twice."""

    def __init__(self, num_patches, hidden_units, dropout_rate, **kwargs):
        super().__init__(**kwargs)
        self.num_patches = num_patches
        self.hidden_units = hidden_units
        self.dropout_rate = dropout_rate
        self.mlp1 = keras.Sequential([keras.layers.Dense(units=num_patches, activation="gelu"),
                                      keras.layers.Dense(units=num_patches),
                                      keras.layers.Dropout(rate=dropout_rate)])
        self.mlp2 = keras.Sequential([keras.layers.Dense(units=num_patches, activation="gelu"),
                                      keras.layers.Dense(units=hidden_units),
                                      keras.layers.Dropout(rate=dropout_rate)])
        self.normalize = keras.layers.LayerNormalization(epsilon=1e-6)

    def call(self, inputs):
        x = self.normalize(inputs)
        x_channels = ops.transpose(x, axes=(0, 2, 1))
        mlp1_outputs = ops.transpose(self.mlp1(x_channels), axes=(0, 2, 1))
        x = mlp1_outputs + inputs
        x_patches = self.normalize(x)
        return x + self.mlp2(x_patches)

    def get_config(self):
        config = super().get_config()
        config.update({"num_patches": self.num_patches, "hidden_units": self.hidden_units,
                       "dropout_rate": self.dropout_rate})
        return config


def mlp_mixer(blocks=2):
    inputs = keras.Input((IMAGE_SIZE, IMAGE_SIZE, 3))
    patches = Patches(PATCH_SIZE)(inputs)
    x = keras.layers.Dense(units=DIM)(patches)
    x = keras.Sequential([MLPMixerLayer(NUM_PATCHES, DIM, 0.1) for _ in range(blocks)])(x)
    representation = keras.layers.GlobalAveragePooling1D()(x)
    representation = keras.layers.Dropout(rate=0.1)(representation)
    return keras.Model(inputs, keras.layers.Dense(CLASSES)(representation))


def test_mlp_mixer_layer_weights():
    layer = MLPMixerLayer(NUM_PATCHES, DIM, 0.0)
    assert layer(keras.Input((NUM_PATCHES, DIM))).shape == (None, NUM_PATCHES, DIM)
    shapes = [tuple(w.shape) for w in layer.weights]
    assert shapes == [(4, 4), (4,), (4, 4), (4,),  # token mixing: across the 4 patches
                      (DIM, 4), (4,), (4, DIM), (DIM,),  # channel mixing
                      (DIM,), (DIM,)]  # one LayerNormalization, used twice


def test_mlp_mixer(tmp_path):
    model = mlp_mixer()
    assert len(model.weights) == 2 + 2 * 10 + 2
    x, y = bright_corner_images()
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    assert fit_and_check(model, x, y, loss, tmp_path).shape == (SAMPLES, CLASSES)


# -- PixelCNN -------------------------------------------------------------------------------
def causal_mask(kernel_shape, mask_type):
    """1 above the centre row and left of the centre in it; the centre itself for "B"."""
    mask = np.zeros(kernel_shape, "float32")
    rows, columns = kernel_shape[0], kernel_shape[1]
    mask[: rows // 2, ...] = 1.0
    mask[rows // 2, : columns // 2, ...] = 1.0
    if mask_type == "B":
        mask[rows // 2, columns // 2, ...] = 1.0
    return mask


@keras.saving.register_keras_serializable(package=PACKAGE)
class MaskedConv2D(keras.layers.Conv2D):
    """A Conv2D whose kernel is multiplied by a causal mask built in ``build``."""

    def __init__(self, mask_type, **kwargs):
        super().__init__(**kwargs)
        self.mask_type = mask_type

    def build(self, input_shape):
        super().build(input_shape)
        self.mask = ops.convert_to_tensor(causal_mask(tuple(self.kernel.shape), self.mask_type))

    def call(self, inputs):
        outputs = ops.conv(inputs, self.kernel * self.mask, strides=self.strides,
                           padding=self.padding)
        if self.use_bias:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def get_config(self):
        config = super().get_config()
        config.update({"mask_type": self.mask_type})
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class PixelConvLayer(keras.layers.Layer):
    """The other common way: a layer holding a Conv2D that it builds in its own
    ``build`` and whose kernel it masks by assignment before each call."""

    def __init__(self, mask_type, name=None, **kwargs):
        super().__init__(name=name)
        self.mask_type = mask_type
        self.conv_arguments = dict(kwargs)
        self.conv = keras.layers.Conv2D(**kwargs)

    def build(self, input_shape):
        self.conv.build(input_shape)
        self.mask = causal_mask(tuple(self.conv.kernel.shape), self.mask_type)

    def call(self, inputs):
        self.conv.kernel.assign(self.conv.kernel * self.mask)
        return self.conv(inputs)

    def get_config(self):
        return {"name": self.name, "mask_type": self.mask_type, **self.conv_arguments}


@keras.saving.register_keras_serializable(package=PACKAGE)
class ResidualBlock(keras.layers.Layer):
    def __init__(self, filters, **kwargs):
        super().__init__(**kwargs)
        self.filters = filters
        self.conv1 = keras.layers.Conv2D(filters=filters, kernel_size=1, activation="relu")
        self.pixel_conv = MaskedConv2D(mask_type="B", filters=filters // 2, kernel_size=3,
                                       activation="relu", padding="same")
        self.conv2 = keras.layers.Conv2D(filters=filters, kernel_size=1, activation="relu")

    def call(self, inputs):
        x = self.conv2(self.pixel_conv(self.conv1(inputs)))
        return inputs + x

    def get_config(self):
        config = super().get_config()
        config.update({"filters": self.filters})
        return config


def pixel_cnn(filters=8, residual_blocks=2):
    inputs = keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1))
    x = PixelConvLayer(mask_type="A", filters=filters, kernel_size=5, padding="same",
                       activation="relu")(inputs)
    for _ in range(residual_blocks):
        x = ResidualBlock(filters=filters)(x)
    x = MaskedConv2D(mask_type="B", filters=filters, kernel_size=1, padding="valid",
                     activation="relu")(x)
    out = keras.layers.Conv2D(filters=1, kernel_size=1, strides=1, activation="sigmoid",
                              padding="valid")(x)
    return keras.Model(inputs, out)


def assert_causal(model):
    """The prediction for a pixel depends on no pixel at or after it in raster order."""
    rng = np.random.default_rng(1)
    base = (rng.random((1, IMAGE_SIZE, IMAGE_SIZE, 1)) > 0.5).astype("float32")
    changed = base.copy()
    changed[0, 4, 4, 0] = 1.0 - changed[0, 4, 4, 0]
    a, b = model.predict(base, verbose=0)[0, ..., 0], model.predict(changed, verbose=0)[0, ..., 0]
    before = np.arange(IMAGE_SIZE * IMAGE_SIZE).reshape(IMAGE_SIZE, IMAGE_SIZE) <= 4 * 8 + 4
    np.testing.assert_allclose(a[before], b[before], rtol=1e-5, atol=1e-6)
    assert not np.allclose(a[~before], b[~before])


def test_masked_conv2d_kernel_is_causal():
    layer = MaskedConv2D(mask_type="A", filters=2, kernel_size=3, padding="same")
    layer(keras.Input((IMAGE_SIZE, IMAGE_SIZE, 1)))
    assert tuple(K.convert_to_numpy(layer.mask)[:, :, 0, 0].ravel()) == (1, 1, 1, 1, 0, 0,
                                                                         0, 0, 0)
    assert len(layer.weights) == 2


def test_pixel_cnn(tmp_path):
    model = pixel_cnn()
    assert model.output.shape == (None, IMAGE_SIZE, IMAGE_SIZE, 1)
    assert_causal(model)
    x = stripe_images()
    predictions = fit_and_check(model, x, x, "binary_crossentropy", tmp_path)
    assert predictions.shape == (SAMPLES, IMAGE_SIZE, IMAGE_SIZE, 1)
    assert_causal(model)


# -- text classification with a transformer block -------------------------------------------
@keras.saving.register_keras_serializable(package=PACKAGE)
class TransformerBlock(keras.layers.Layer):
    def __init__(self, embed_dim, num_heads, ff_dim, rate=0.1, **kwargs):
        super().__init__(**kwargs)
        self.embed_dim, self.num_heads, self.ff_dim, self.rate = embed_dim, num_heads, ff_dim, rate
        self.att = keras.layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.ffn = keras.Sequential([keras.layers.Dense(ff_dim, activation="relu"),
                                     keras.layers.Dense(embed_dim)])
        self.layernorm1 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.layernorm2 = keras.layers.LayerNormalization(epsilon=1e-6)
        self.dropout1 = keras.layers.Dropout(rate)
        self.dropout2 = keras.layers.Dropout(rate)

    def call(self, inputs):
        attn_output = self.att(inputs, inputs)
        attn_output = self.dropout1(attn_output)
        out1 = self.layernorm1(inputs + attn_output)
        ffn_output = self.dropout2(self.ffn(out1))
        return self.layernorm2(out1 + ffn_output)

    def get_config(self):
        config = super().get_config()
        config.update({"embed_dim": self.embed_dim, "num_heads": self.num_heads,
                       "ff_dim": self.ff_dim, "rate": self.rate})
        return config


@keras.saving.register_keras_serializable(package=PACKAGE)
class TokenAndPositionEmbedding(keras.layers.Layer):
    def __init__(self, maxlen, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.maxlen, self.vocab_size, self.embed_dim = maxlen, vocab_size, embed_dim
        self.token_emb = keras.layers.Embedding(input_dim=vocab_size, output_dim=embed_dim)
        self.pos_emb = keras.layers.Embedding(input_dim=maxlen, output_dim=embed_dim)

    def call(self, x):
        maxlen = ops.shape(x)[-1]
        positions = self.pos_emb(ops.arange(start=0, stop=maxlen, step=1))
        return self.token_emb(x) + positions

    def get_config(self):
        config = super().get_config()
        config.update({"maxlen": self.maxlen, "vocab_size": self.vocab_size,
                       "embed_dim": self.embed_dim})
        return config


def text_classifier(maxlen=8, vocab_size=20):
    inputs = keras.Input(shape=(maxlen,))
    x = TokenAndPositionEmbedding(maxlen, vocab_size, DIM)(inputs)
    x = TransformerBlock(DIM, num_heads=2, ff_dim=2 * DIM)(x)
    x = keras.layers.GlobalAveragePooling1D()(x)
    x = keras.layers.Dropout(0.1)(x)
    x = keras.layers.Dense(DIM, activation="relu")(x)
    x = keras.layers.Dropout(0.1)(x)
    outputs = keras.layers.Dense(2, activation="softmax")(x)
    return keras.Model(inputs=inputs, outputs=outputs)


def test_transformer_block_holds_every_weight_once():
    block = TransformerBlock(DIM, num_heads=2, ff_dim=2 * DIM)
    assert block(keras.Input((8, DIM))).shape == (None, 8, DIM)
    attention = 4 * DIM * 2 * DIM + 3 * 2 * DIM + DIM  # q, k, v, output kernels and biases
    ffn = DIM * 2 * DIM + 2 * DIM + 2 * DIM * DIM + DIM
    assert block.count_params() == attention + ffn + 2 * 2 * DIM
    assert len(block.weights) == 8 + 4 + 4
    assert_weights_are_real_arrays(block)


def test_transformer_block_dropout_follows_the_training_flag():
    block = TransformerBlock(DIM, num_heads=2, ff_dim=2 * DIM, rate=0.5)
    x = np.random.default_rng(0).normal(size=(2, 8, DIM)).astype("float32")
    inference = [K.convert_to_numpy(block(x, training=False)) for _ in range(2)]
    np.testing.assert_allclose(inference[0], inference[1], rtol=1e-6)
    assert not np.allclose(K.convert_to_numpy(block(x, training=True)), inference[0])


def test_text_classification_with_a_transformer_block(tmp_path):
    model = text_classifier()
    x, y = token_sequences()
    predictions = fit_and_check(model, x, y, "sparse_categorical_crossentropy", tmp_path)
    assert predictions.shape == (SAMPLES, 2)
    np.testing.assert_allclose(predictions.sum(axis=1), 1.0, rtol=1e-5)


@keras.saving.register_keras_serializable(package=PACKAGE)
class Offset(keras.layers.Layer):
    """Its ``get_config`` leaves out the name, as many hand-written configs do."""

    def __init__(self, offset):
        super().__init__()
        self.offset = offset

    def call(self, x):
        return x + self.offset

    def get_config(self):
        return {"offset": self.offset}


def test_a_layer_whose_get_config_leaves_out_the_name_still_loads(tmp_path):
    inputs = keras.Input((3,))
    model = keras.Model(inputs, keras.layers.Dense(2)(Offset(1.5)(inputs)))
    path = str(tmp_path / "offset.lamina")
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0),
                               rtol=1e-6)
