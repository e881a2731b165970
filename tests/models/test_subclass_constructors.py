"""Subclassed models whatever their constructors look like, and the keras.io patterns
(a VAE, knowledge distillation, a GAN) with their own train_step, compile and
compute_loss, on every training engine."""

import numpy as np
import pytest

import lamina as keras
from lamina import Input, Model, backend as K, layers, ops
from lamina.models import Functional
from lamina.utils import set_random_seed

needs_training = pytest.mark.skipif(K.backend() == "numpy",
                                    reason="the numpy engine cannot train")
DATA = np.random.default_rng(0).uniform(size=(32, 6)).astype("float32")


def shape_of(tensor):
    return tuple(K.convert_to_numpy(tensor).shape)


def test_super_with_the_class_and_keywords_only():
    class Old(keras.models.Model):
        def __init__(self, **kwargs):
            super(Old, self).__init__(name="old", **kwargs)
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    model = Old(trainable=False, dtype="float32")
    assert model.name == "old" and not model.trainable
    assert shape_of(model(np.ones((3, 4), "float32"))) == (3, 2)


def test_model_with_keywords_only_is_an_empty_subclassed_model():
    model = Model(name="empty", trainable=False)
    assert not isinstance(model, Functional) and model.name == "empty" and not model.trainable


@pytest.mark.parametrize("by_keyword", [True, False])
def test_a_subclass_passing_inputs_and_outputs_to_super_is_functional(by_keyword):
    class Built(Model):
        def __init__(self, units, **kwargs):
            x = Input((3,))
            y = layers.Dense(units)(x)
            if by_keyword:
                super().__init__(inputs=x, outputs=y, **kwargs)
            else:
                super().__init__(x, y, **kwargs)

        def doubled(self, data):
            return 2.0 * self(data)

    model = Built(4, name="built")
    assert isinstance(model, Functional) and isinstance(model, Built)
    assert model.name == "built" and model.output.shape == (None, 4)
    assert shape_of(model.doubled(np.ones((2, 3), "float32"))) == (2, 4)


def test_a_subclass_taking_symbolic_tensors_for_itself_stays_subclassed():
    class Holder(Model):
        def __init__(self, first, second, **kwargs):
            super().__init__(**kwargs)
            self.first, self.second = first, second
            self.dense = layers.Dense(2)

        def call(self, x):
            return self.dense(x)

    x = Input((3,))
    model = Holder(x, x)
    assert not isinstance(model, Functional)
    assert shape_of(model(np.ones((2, 3), "float32"))) == (2, 2)


class Sampling(layers.Layer):
    def call(self, inputs):
        z_mean, z_log_var = inputs
        return z_mean + K.exp(0.5 * z_log_var) * K.random_normal(K.shape(z_mean))


class VAE(Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.kl_loss_tracker]

    def train_step(self, data):
        def loss_fn(weights):
            z_mean, z_log_var, z = self.encoder(data)
            reconstruction = self.decoder(z)
            rec = K.mean(K.sum(keras.losses.binary_crossentropy(data, reconstruction), axis=-1))
            kl = -0.5 * (1 + z_log_var - K.square(z_mean) - K.exp(z_log_var))
            kl = K.mean(K.sum(kl, axis=1))
            return rec + kl, kl

        (total, kl), grads = K.value_and_grad(loss_fn, has_aux=True)(self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total_loss_tracker.update_state(total)
        self.kl_loss_tracker.update_state(kl)
        return {"loss": self.total_loss_tracker.result(), "kl_loss": self.kl_loss_tracker.result()}


@needs_training
def test_vae_trains_from_x_alone_and_its_own_trackers_restart_each_epoch():
    set_random_seed(0)
    x = Input((6,))
    h = layers.Dense(8, activation="relu")(x)
    z_mean, z_log_var = layers.Dense(2)(h), layers.Dense(2)(h)
    encoder = Model(x, [z_mean, z_log_var, Sampling()([z_mean, z_log_var])])
    latent = Input((2,))
    decoder = Model(latent, layers.Dense(6, activation="sigmoid")(latent))
    vae = VAE(encoder, decoder)
    vae.compile(optimizer=keras.optimizers.Adam(0.01))
    history = vae.fit(DATA, epochs=3, batch_size=16, verbose=0)
    assert set(history.history) == {"loss", "kl_loss"}
    assert float(K.convert_to_numpy(vae.total_loss_tracker.count)) == 2.0  # this epoch only
    assert int(vae.optimizer.iterations) == 6


class Distiller(Model):
    def __init__(self, student, teacher):
        super().__init__()
        self.teacher = teacher
        self.student = student

    def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn, alpha=0.1,
                temperature=3):
        super().compile(optimizer=optimizer, metrics=metrics)
        self.student_loss_fn = student_loss_fn
        self.distillation_loss_fn = distillation_loss_fn
        self.alpha = alpha
        self.temperature = temperature

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, allow_empty=False):
        teacher_pred = self.teacher(x, training=False)
        student_loss = self.student_loss_fn(y, y_pred)
        distillation_loss = self.distillation_loss_fn(
            ops.softmax(teacher_pred / self.temperature, axis=1),
            ops.softmax(y_pred / self.temperature, axis=1)) * self.temperature ** 2
        return self.alpha * student_loss + (1 - self.alpha) * distillation_loss

    def call(self, x):
        return self.student(x)


@needs_training
def test_distiller_with_its_own_compile_arguments_trains_and_evaluates():
    set_random_seed(1)
    teacher = keras.Sequential([Input((6,)), layers.Dense(3)])
    student = keras.Sequential([Input((6,)), layers.Dense(3)])
    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(optimizer=keras.optimizers.Adam(0.05),
                      metrics=[keras.metrics.SparseCategoricalAccuracy()],
                      student_loss_fn=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      distillation_loss_fn=keras.losses.KLDivergence(), alpha=0.1,
                      temperature=10)
    labels = np.arange(32) % 3
    history = distiller.fit(DATA, labels, epochs=4, batch_size=8, verbose=0)
    assert list(history.history) == ["loss", "sparse_categorical_accuracy"]
    assert history.history["loss"][-1] < history.history["loss"][0]
    loss, accuracy = distiller.evaluate(DATA, labels, verbose=0)
    assert 0.0 <= accuracy <= 1.0 and loss > 0


class GAN(Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile()
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    def train_step(self, real):
        batch = K.shape(real)[0]
        noise = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        images = K.concatenate([self.generator(noise), real], axis=0)
        labels = K.concatenate([K.ones((batch, 1)), K.zeros((batch, 1))], axis=0)
        d_weights = self.discriminator.trainable_weights
        d_loss, grads = K.value_and_grad(
            lambda w: self.loss_fn(labels, self.discriminator(images)))(d_weights)
        self.d_optimizer.apply_gradients(zip(grads, d_weights))
        g_weights = self.generator.trainable_weights
        g_loss, grads = K.value_and_grad(
            lambda w: self.loss_fn(K.zeros((batch, 1)),
                                   self.discriminator(self.generator(noise))))(g_weights)
        self.g_optimizer.apply_gradients(zip(grads, g_weights))
        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


@needs_training
def test_gan_with_two_optimizers_keeps_their_state_between_compiled_steps():
    set_random_seed(2)
    discriminator = keras.Sequential([Input((6,)), layers.Dense(1, activation="sigmoid")])
    generator = keras.Sequential([Input((2,)), layers.Dense(6)])
    gan = GAN(discriminator, generator, latent_dim=2)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3),
                loss_fn=keras.losses.BinaryCrossentropy())
    before = [np.array(w) for w in generator.get_weights() + discriminator.get_weights()]
    history = gan.fit(DATA, epochs=2, batch_size=16, verbose=0)
    assert sorted(history.history) == ["d_loss", "g_loss"]
    # two batches per epoch: each optimizer stepped four times, its slots carried over
    assert int(gan.d_optimizer.iterations) == 4 and int(gan.g_optimizer.iterations) == 4
    assert float(K.convert_to_numpy(gan.d_loss_metric.count)) == 2.0
    momentum = K.convert_to_numpy(gan.d_optimizer.momentums[0].value)
    assert np.abs(momentum).sum() > 0
    after = generator.get_weights() + discriminator.get_weights()
    assert all(not np.allclose(a, b) for a, b in zip(before, after))
