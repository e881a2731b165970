"""Keras 3 programs, written the way keras.io's examples write them, run on lamina.

Each test is one program modelled on a keras.io example or on Keras 3's own
``examples/`` (``import keras`` becomes ``import lamina as keras``), with the data set
replaced by synthetic arrays of the same shapes (fewer samples, smaller images) and one
or two epochs. Each asserts what its user would look at: finite losses, the shapes of
predictions, files written by callbacks, a reloaded model predicting the same.
"""

import math
import os

import numpy as np
import pytest

import lamina as keras
from lamina import layers, ops

pytestmark = pytest.mark.skipif(keras.backend.backend() == "numpy",
                                reason="these programs train; numpy runs inference only")


def assert_finite_history(history, *keys):
    for key in ("loss",) + keys:
        values = history.history[key]
        assert values and all(math.isfinite(v) for v in values), (key, values)


def test_demo_functional_with_callbacks(tmp_path):
    from lamina import losses, metrics, optimizers

    inputs = keras.Input(shape=(784,), name="digits")
    x = layers.Dense(64, activation="relu", name="dense_1")(inputs)
    x = layers.Dense(64, activation="relu", name="dense_2")(x)
    outputs = layers.Dense(10, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs=inputs, outputs=outputs, name="3_layer_mlp")
    model.compile(optimizer=optimizers.Adam(learning_rate=1e-3),
                  loss=losses.CategoricalCrossentropy(),
                  metrics=[metrics.CategoricalAccuracy(), metrics.AUC()])
    rng = np.random.default_rng(0)
    x_train = rng.random((64, 784)).astype("float32")
    y_train = keras.utils.to_categorical(rng.integers(0, 10, size=64), 10)
    callbacks = [keras.callbacks.ModelCheckpoint(
                     filepath=str(tmp_path / "model_at_epoch_{epoch}.keras")),
                 keras.callbacks.EarlyStopping(monitor="val_loss", patience=2)]
    history = model.fit(x_train, y_train, batch_size=16, epochs=2, validation_split=0.2,
                        callbacks=callbacks, verbose=0)
    assert_finite_history(history, "val_loss", "categorical_accuracy", "auc")
    assert sorted(os.listdir(tmp_path)) == ["model_at_epoch_1.keras", "model_at_epoch_2.keras"]
    restored = keras.models.load_model(tmp_path / "model_at_epoch_2.keras")
    np.testing.assert_allclose(restored.predict(x_train[:4], verbose=0),
                               model.predict(x_train[:4], verbose=0), rtol=1e-5, atol=1e-6)


def test_mnist_convnet():
    num_classes, input_shape = 10, (28, 28, 1)
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, size=(48, 28, 28)).astype("float32") / 255
    x_train = np.expand_dims(x_train, -1)
    y_train = keras.utils.to_categorical(rng.integers(0, 10, size=48), num_classes)
    model = keras.Sequential([
        keras.Input(shape=input_shape),
        layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
        layers.MaxPooling2D(pool_size=(2, 2)),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(num_classes, activation="softmax"),
    ])
    model.summary(print_fn=lambda *a, **k: None)
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=1, validation_split=0.1,
                        verbose=0)
    score = model.evaluate(x_train, y_train, verbose=0)
    assert_finite_history(history, "val_accuracy")
    assert len(score) == 2 and 0 <= score[1] <= 1


def test_timeseries_classification_from_scratch(tmp_path):
    rng = np.random.default_rng(0)
    x_train = rng.normal(size=(40, 50)).astype("float32")
    y_train = rng.integers(0, 2, size=40)
    x_train = x_train.reshape((x_train.shape[0], x_train.shape[1], 1))
    num_classes = len(np.unique(y_train))
    idx = np.random.default_rng(1).permutation(len(x_train))
    x_train, y_train = x_train[idx], y_train[idx]

    def make_model(input_shape):
        input_layer = keras.layers.Input(input_shape)
        conv1 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(input_layer)
        conv1 = keras.layers.BatchNormalization()(conv1)
        conv1 = keras.layers.ReLU()(conv1)
        conv2 = keras.layers.Conv1D(filters=16, kernel_size=3, padding="same")(conv1)
        conv2 = keras.layers.BatchNormalization()(conv2)
        conv2 = keras.layers.ReLU()(conv2)
        gap = keras.layers.GlobalAveragePooling1D()(conv2)
        output_layer = keras.layers.Dense(num_classes, activation="softmax")(gap)
        return keras.models.Model(inputs=input_layer, outputs=output_layer)

    model = make_model(input_shape=x_train.shape[1:])
    path = str(tmp_path / "best_model.keras")
    callbacks = [
        keras.callbacks.ModelCheckpoint(path, save_best_only=True, monitor="val_loss"),
        keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=20,
                                          min_lr=0.0001),
        keras.callbacks.EarlyStopping(monitor="val_loss", patience=50, verbose=1),
    ]
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["sparse_categorical_accuracy"])
    history = model.fit(x_train, y_train, batch_size=8, epochs=2, callbacks=callbacks,
                        validation_split=0.2, verbose=0)
    assert_finite_history(history, "val_loss", "sparse_categorical_accuracy")
    model = keras.models.load_model(path)
    test_loss, test_acc = model.evaluate(x_train, y_train, verbose=0)
    assert math.isfinite(test_loss) and 0 <= test_acc <= 1


def test_vision_transformer_with_augmentation_and_patches(tmp_path):
    num_classes, input_shape = 10, (16, 16, 3)
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, size=(32,) + input_shape).astype("float32")
    y_train = rng.integers(0, num_classes, size=(32, 1))
    learning_rate, weight_decay, batch_size = 0.001, 0.0001, 8
    image_size, patch_size = 24, 6
    num_patches = (image_size // patch_size) ** 2
    projection_dim, num_heads = 16, 2
    transformer_units = [projection_dim * 2, projection_dim]
    transformer_layers, mlp_head_units = 2, [32, 16]

    data_augmentation = keras.Sequential(
        [layers.Normalization(), layers.Resizing(image_size, image_size),
         layers.RandomFlip("horizontal"), layers.RandomRotation(factor=0.02),
         layers.RandomZoom(height_factor=0.2, width_factor=0.2)],
        name="data_augmentation")
    data_augmentation.layers[0].adapt(x_train)

    def mlp(x, hidden_units, dropout_rate):
        for units in hidden_units:
            x = layers.Dense(units, activation=keras.activations.gelu)(x)
            x = layers.Dropout(dropout_rate)(x)
        return x

    class Patches(layers.Layer):
        def __init__(self, patch_size):
            super().__init__()
            self.patch_size = patch_size

        def call(self, images):
            input_shape = ops.shape(images)
            batch_size = input_shape[0]
            height, width, channels = input_shape[1], input_shape[2], input_shape[3]
            num_patches_h = height // self.patch_size
            num_patches_w = width // self.patch_size
            patches = keras.ops.image.extract_patches(images, size=self.patch_size)
            return ops.reshape(patches, (batch_size, num_patches_h * num_patches_w,
                                         self.patch_size * self.patch_size * channels))

        def get_config(self):
            config = super().get_config()
            config.update({"patch_size": self.patch_size})
            return config

    class PatchEncoder(layers.Layer):
        def __init__(self, num_patches, projection_dim):
            super().__init__()
            self.num_patches = num_patches
            self.projection = layers.Dense(units=projection_dim)
            self.position_embedding = layers.Embedding(input_dim=num_patches,
                                                       output_dim=projection_dim)

        def call(self, patch):
            positions = ops.expand_dims(ops.arange(start=0, stop=self.num_patches, step=1),
                                        axis=0)
            projected_patches = self.projection(patch)
            return projected_patches + self.position_embedding(positions)

    inputs = keras.Input(shape=input_shape)
    augmented = data_augmentation(inputs)
    patches = Patches(patch_size)(augmented)
    encoded_patches = PatchEncoder(num_patches, projection_dim)(patches)
    for _ in range(transformer_layers):
        x1 = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
        attention_output = layers.MultiHeadAttention(num_heads=num_heads,
                                                     key_dim=projection_dim,
                                                     dropout=0.1)(x1, x1)
        x2 = layers.Add()([attention_output, encoded_patches])
        x3 = layers.LayerNormalization(epsilon=1e-6)(x2)
        x3 = mlp(x3, hidden_units=transformer_units, dropout_rate=0.1)
        encoded_patches = layers.Add()([x3, x2])
    representation = layers.LayerNormalization(epsilon=1e-6)(encoded_patches)
    representation = layers.Flatten()(representation)
    representation = layers.Dropout(0.5)(representation)
    features = mlp(representation, hidden_units=mlp_head_units, dropout_rate=0.5)
    logits = layers.Dense(num_classes)(features)
    model = keras.Model(inputs=inputs, outputs=logits)

    optimizer = keras.optimizers.AdamW(learning_rate=learning_rate, weight_decay=weight_decay)
    model.compile(optimizer=optimizer,
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy"),
                           keras.metrics.SparseTopKCategoricalAccuracy(5, name="top-5-accuracy")])
    checkpoint_filepath = str(tmp_path / "checkpoint.weights.h5")
    checkpoint_callback = keras.callbacks.ModelCheckpoint(
        checkpoint_filepath, monitor="val_accuracy", save_best_only=True,
        save_weights_only=True)
    history = model.fit(x=x_train, y=y_train, batch_size=batch_size, epochs=1,
                        validation_split=0.25, callbacks=[checkpoint_callback], verbose=0)
    assert_finite_history(history, "val_accuracy", "top-5-accuracy")
    model.load_weights(checkpoint_filepath)
    _, accuracy, top_5_accuracy = model.evaluate(x_train, y_train, verbose=0)
    assert 0 <= accuracy <= top_5_accuracy <= 1
    assert model.predict(x_train[:2], verbose=0).shape == (2, num_classes)


def test_knowledge_distillation_with_compute_loss():
    class Distiller(keras.Model):
        def __init__(self, student, teacher):
            super().__init__()
            self.teacher = teacher
            self.student = student

        def compile(self, optimizer, metrics, student_loss_fn, distillation_loss_fn,
                    alpha=0.1, temperature=3):
            super().compile(optimizer=optimizer, metrics=metrics)
            self.student_loss_fn = student_loss_fn
            self.distillation_loss_fn = distillation_loss_fn
            self.alpha = alpha
            self.temperature = temperature

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         allow_empty=False):
            teacher_pred = self.teacher(x, training=False)
            student_loss = self.student_loss_fn(y, y_pred)
            distillation_loss = self.distillation_loss_fn(
                ops.softmax(teacher_pred / self.temperature, axis=1),
                ops.softmax(y_pred / self.temperature, axis=1),
            ) * (self.temperature ** 2)
            return self.alpha * student_loss + (1 - self.alpha) * distillation_loss

        def call(self, x):
            return self.student(x)

    teacher = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                                layers.Conv2D(16, (3, 3), strides=(2, 2), padding="same"),
                                layers.LeakyReLU(negative_slope=0.2),
                                layers.MaxPooling2D(pool_size=(2, 2), strides=(1, 1),
                                                    padding="same"),
                                layers.Flatten(), layers.Dense(10)], name="teacher")
    student = keras.Sequential([keras.Input(shape=(28, 28, 1)),
                                layers.Conv2D(4, (3, 3), strides=(2, 2), padding="same"),
                                layers.LeakyReLU(negative_slope=0.2),
                                layers.Flatten(), layers.Dense(10)], name="student")
    student_scratch = keras.models.clone_model(student)

    rng = np.random.default_rng(0)
    x_train = rng.random((32, 28, 28, 1)).astype("float32")
    y_train = rng.integers(0, 10, size=32)
    teacher.compile(optimizer=keras.optimizers.Adam(),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=[keras.metrics.SparseCategoricalAccuracy()])
    assert_finite_history(teacher.fit(x_train, y_train, epochs=1, verbose=0))

    teacher.trainable = False  # the teacher stays frozen while the student learns
    distiller = Distiller(student=student, teacher=teacher)
    distiller.compile(optimizer=keras.optimizers.Adam(),
                      metrics=[keras.metrics.SparseCategoricalAccuracy()],
                      student_loss_fn=keras.losses.SparseCategoricalCrossentropy(
                          from_logits=True),
                      distillation_loss_fn=keras.losses.KLDivergence(),
                      alpha=0.1, temperature=10)
    teacher_before = [w.copy() for w in teacher.get_weights()]
    history = distiller.fit(x_train, y_train, epochs=2, verbose=0)
    assert_finite_history(history, "sparse_categorical_accuracy")
    for a, b in zip(teacher_before, teacher.get_weights()):
        np.testing.assert_array_equal(a, b)
    results = distiller.evaluate(x_train, y_train, verbose=0)
    assert len(results) == 2

    student_scratch.compile(optimizer=keras.optimizers.Adam(),
                            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                            metrics=[keras.metrics.SparseCategoricalAccuracy()])
    assert_finite_history(student_scratch.fit(x_train, y_train, epochs=1, verbose=0))


def test_collaborative_filtering_subclassed_model():
    num_users, num_movies, embedding_size = 50, 80, 8

    class RecommenderNet(keras.Model):
        def __init__(self, num_users, num_movies, embedding_size, **kwargs):
            super().__init__(**kwargs)
            self.user_embedding = layers.Embedding(
                num_users, embedding_size, embeddings_initializer="he_normal",
                embeddings_regularizer=keras.regularizers.l2(1e-6))
            self.user_bias = layers.Embedding(num_users, 1)
            self.movie_embedding = layers.Embedding(
                num_movies, embedding_size, embeddings_initializer="he_normal",
                embeddings_regularizer=keras.regularizers.l2(1e-6))
            self.movie_bias = layers.Embedding(num_movies, 1)

        def call(self, inputs):
            user_vector = self.user_embedding(inputs[:, 0])
            user_bias = self.user_bias(inputs[:, 0])
            movie_vector = self.movie_embedding(inputs[:, 1])
            movie_bias = self.movie_bias(inputs[:, 1])
            dot_user_movie = ops.tensordot(user_vector, movie_vector, 2)
            x = dot_user_movie + user_bias + movie_bias
            return ops.nn.sigmoid(x)

    rng = np.random.default_rng(0)
    x = np.stack([rng.integers(0, num_users, 128), rng.integers(0, num_movies, 128)], axis=1)
    y = rng.random(128)
    model = RecommenderNet(num_users, num_movies, embedding_size, name="recommender")
    model.compile(loss=keras.losses.BinaryCrossentropy(),
                  optimizer=keras.optimizers.Adam(learning_rate=0.001))
    history = model.fit(x=x, y=y, batch_size=32, epochs=2, verbose=0, validation_data=(x, y))
    assert_finite_history(history, "val_loss")
    ratings = model.predict(x[:5], verbose=0).flatten()
    assert ratings.shape == (5,) and ((0 <= ratings) & (ratings <= 1)).all()
    assert model.name == "recommender"


def test_structured_data_with_feature_layers():
    rng = np.random.default_rng(0)
    n = 64
    age = rng.integers(20, 80, size=(n, 1)).astype("float32")
    chol = rng.normal(240, 40, size=(n, 1)).astype("float32")
    sex = rng.integers(0, 2, size=(n, 1))
    thal = rng.choice(np.array(["fixed", "normal", "reversible"]), size=(n, 1))
    target = rng.integers(0, 2, size=(n,))

    age_norm = layers.Normalization()
    age_norm.adapt(age)
    chol_norm = layers.Normalization()
    chol_norm.adapt(chol)
    thal_lookup = layers.StringLookup(output_mode="int")
    thal_lookup.adapt(thal)
    thal_index = keras.ops.convert_to_numpy(thal_lookup(thal))
    assert thal_lookup.vocabulary_size() == 4

    age_in = keras.Input(shape=(1,), name="age")
    chol_in = keras.Input(shape=(1,), name="chol")
    sex_in = keras.Input(shape=(1,), name="sex", dtype="int64")
    thal_in = keras.Input(shape=(1,), name="thal", dtype="int64")
    sex_encoded = layers.IntegerLookup(output_mode="one_hot", vocabulary=[0, 1])(sex_in)
    thal_encoded = layers.CategoryEncoding(num_tokens=4, output_mode="one_hot")(thal_in)
    all_features = layers.concatenate([age_norm(age_in), chol_norm(chol_in), sex_encoded,
                                       thal_encoded])
    x = layers.Dense(32, activation="relu")(all_features)
    x = layers.Dropout(0.5)(x)
    output = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model([age_in, chol_in, sex_in, thal_in], output)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    inputs = {"age": age, "chol": chol, "sex": sex, "thal": thal_index}
    history = model.fit(inputs, target, epochs=2, batch_size=16, verbose=0)
    assert_finite_history(history, "accuracy")
    assert model.predict(inputs, verbose=0).shape == (n, 1)


def test_timeseries_weather_forecasting(tmp_path):
    rng = np.random.default_rng(0)
    features = rng.normal(size=(1200, 7)).astype("float32")
    split_fraction, step = 0.7, 6
    past, future, learning_rate, batch_size = 120, 12, 0.001, 16
    train_split = int(split_fraction * len(features))
    train_data, val_data = features[:train_split], features[train_split:]

    start = past + future
    end = start + train_split
    x_train = train_data
    y_train = features[start:end, [1]]
    sequence_length = int(past / step)
    dataset_train = keras.preprocessing.timeseries_dataset_from_array(
        x_train, y_train, sequence_length=sequence_length, sampling_rate=step,
        batch_size=batch_size)
    x_end = len(val_data) - past - future
    label_start = train_split + past + future
    x_val = val_data[:x_end]
    y_val = features[label_start:, [1]]
    dataset_val = keras.preprocessing.timeseries_dataset_from_array(
        x_val, y_val, sequence_length=sequence_length, sampling_rate=step,
        batch_size=batch_size)

    for batch in dataset_train:
        inputs, targets = batch
        break
    assert inputs.shape == (batch_size, sequence_length, 7) and targets.shape == (batch_size, 1)

    inputs = keras.layers.Input(shape=(inputs.shape[1], inputs.shape[2]))
    lstm_out = keras.layers.LSTM(8)(inputs)
    outputs = keras.layers.Dense(1)(lstm_out)
    model = keras.Model(inputs=inputs, outputs=outputs)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate), loss="mse")
    path_checkpoint = str(tmp_path / "model_checkpoint.weights.h5")
    es_callback = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=5)
    modelckpt_callback = keras.callbacks.ModelCheckpoint(
        monitor="val_loss", filepath=path_checkpoint, verbose=0, save_weights_only=True,
        save_best_only=True)
    history = model.fit(dataset_train, epochs=2, validation_data=dataset_val,
                        callbacks=[es_callback, modelckpt_callback], verbose=0)
    assert_finite_history(history, "val_loss")
    assert os.path.exists(path_checkpoint)
    for x, y in dataset_val:
        assert model.predict(x, verbose=0).shape == y.shape
        break


def test_image_classification_from_directory(tmp_path):
    pytest.importorskip("PIL")
    rng = np.random.default_rng(0)
    for name in ("Cat", "Dog"):
        os.makedirs(tmp_path / "PetImages" / name)
        for i in range(12):
            img = rng.integers(0, 256, size=(20, 24, 3)).astype("uint8")
            keras.utils.save_img(str(tmp_path / "PetImages" / name / f"{i}.jpg"), img)

    image_size, batch_size = (16, 16), 8
    train_ds, val_ds = keras.utils.image_dataset_from_directory(
        str(tmp_path / "PetImages"), validation_split=0.25, subset="both", seed=1337,
        image_size=image_size, batch_size=batch_size)
    assert train_ds.class_names == ["Cat", "Dog"]

    data_augmentation_layers = [layers.RandomFlip("horizontal"), layers.RandomRotation(0.1)]

    def data_augmentation(images):
        for layer in data_augmentation_layers:
            images = layer(images)
        return images

    def make_model(input_shape, num_classes):
        inputs = keras.Input(shape=input_shape)
        x = data_augmentation(inputs)
        x = layers.Rescaling(1.0 / 255)(x)
        x = layers.Conv2D(16, 3, strides=2, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.Activation("relu")(x)
        previous_block_activation = x
        for size in [16, 32]:
            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(size, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
            x = layers.SeparableConv2D(size, 3, padding="same")(x)
            x = layers.BatchNormalization()(x)
            x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
            residual = layers.Conv2D(size, 1, strides=2, padding="same")(
                previous_block_activation)
            x = layers.add([x, residual])
            previous_block_activation = x
        x = layers.GlobalAveragePooling2D()(x)
        units = 1 if num_classes == 2 else num_classes
        x = layers.Dropout(0.25)(x)
        outputs = layers.Dense(units, activation=None)(x)
        return keras.Model(inputs, outputs)

    model = make_model(input_shape=image_size + (3,), num_classes=2)
    model.compile(optimizer=keras.optimizers.Adam(3e-4),
                  loss=keras.losses.BinaryCrossentropy(from_logits=True),
                  metrics=[keras.metrics.BinaryAccuracy(name="acc")])
    history = model.fit(train_ds, epochs=1, validation_data=val_ds, verbose=0)
    assert_finite_history(history, "val_acc")

    img = keras.utils.load_img(str(tmp_path / "PetImages" / "Cat" / "0.jpg"),
                               target_size=image_size)
    img_array = keras.utils.img_to_array(img)
    img_array = keras.ops.expand_dims(img_array, 0)
    predictions = model.predict(img_array, verbose=0)
    score = float(keras.ops.sigmoid(predictions[0][0]))
    assert 0.0 <= score <= 1.0


def test_text_classification_from_scratch(tmp_path):
    rng = np.random.default_rng(0)
    words = ["good", "great", "bad", "awful", "movie", "film", "plot", "the", "a", "was"]
    for split in ("train", "test"):
        for label in ("neg", "pos"):
            os.makedirs(tmp_path / "aclImdb" / split / label)
            for i in range(10):
                text = " ".join(rng.choice(words, size=12)) + ("<br />great" if label == "pos"
                                                               else "<br />awful")
                (tmp_path / "aclImdb" / split / label / f"{i}.txt").write_text(text)
    batch_size = 8
    raw_train_ds = keras.utils.text_dataset_from_directory(
        str(tmp_path / "aclImdb" / "train"), batch_size=batch_size, validation_split=0.2,
        subset="training", seed=1337)
    raw_test_ds = keras.utils.text_dataset_from_directory(
        str(tmp_path / "aclImdb" / "test"), batch_size=batch_size)

    max_features, embedding_dim, sequence_length = 50, 16, 20
    vectorize_layer = keras.layers.TextVectorization(
        max_tokens=max_features, output_mode="int", output_sequence_length=sequence_length)
    texts = [text for text_batch, _ in raw_train_ds for text in text_batch]
    vectorize_layer.adapt(texts)

    def vectorize_text(text, label):
        return keras.ops.convert_to_numpy(vectorize_layer(text)), label

    train = [vectorize_text(x, y) for x, y in raw_train_ds]
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    assert x_train.shape[1:] == (sequence_length,)

    inputs = keras.Input(shape=(None,), dtype="int64")
    x = layers.Embedding(max_features, embedding_dim)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    x = layers.Dense(16, activation="relu")(x)
    predictions = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    model = keras.Model(inputs, predictions)
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, epochs=2, verbose=0)
    assert_finite_history(history, "accuracy")
    test = [vectorize_text(x, y) for x, y in raw_test_ds]
    loss, accuracy = model.evaluate(np.concatenate([x for x, _ in test]),
                                    np.concatenate([y for _, y in test]), verbose=0)
    assert math.isfinite(loss)


def test_siamese_contrastive():
    def euclidean_distance(vects):
        x, y = vects
        sum_square = ops.sum(ops.square(x - y), axis=1, keepdims=True)
        return ops.sqrt(ops.maximum(sum_square, keras.backend.epsilon()))

    def loss(margin=1):
        def contrastive_loss(y_true, y_pred):
            square_pred = ops.square(y_pred)
            margin_square = ops.square(ops.maximum(margin - (y_pred), 0))
            return ops.mean((1 - y_true) * square_pred + (y_true) * margin_square)
        return contrastive_loss

    input = keras.layers.Input((28, 28, 1))
    x = keras.layers.BatchNormalization()(input)
    x = keras.layers.Conv2D(4, (5, 5), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Conv2D(16, (5, 5), activation="tanh")(x)
    x = keras.layers.AveragePooling2D(pool_size=(2, 2))(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.Dense(10, activation="tanh")(x)
    embedding_network = keras.Model(input, x)
    input_1 = keras.layers.Input((28, 28, 1))
    input_2 = keras.layers.Input((28, 28, 1))
    tower_1 = embedding_network(input_1)
    tower_2 = embedding_network(input_2)
    merge_layer = keras.layers.Lambda(euclidean_distance, output_shape=(1,))(
        [tower_1, tower_2])
    normal_layer = keras.layers.BatchNormalization()(merge_layer)
    output_layer = keras.layers.Dense(1, activation="sigmoid")(normal_layer)
    siamese = keras.Model(inputs=[input_1, input_2], outputs=output_layer)
    siamese.compile(loss=loss(margin=1), optimizer="RMSprop", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x1, x2 = rng.random((2, 32, 28, 28, 1)).astype("float32")
    labels = rng.integers(0, 2, size=32).astype("float32")
    history = siamese.fit([x1, x2], labels, validation_data=([x1, x2], labels),
                          batch_size=8, epochs=1, verbose=0)
    assert_finite_history(history, "val_loss")
    assert siamese.predict([x1[:3], x2[:3]], verbose=0).shape == (3, 1)


def test_variational_autoencoder_with_seed_generator_and_compute_loss():
    latent_dim = 2

    class Sampling(layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.seed_generator = keras.random.SeedGenerator(1337)

        def call(self, inputs):
            z_mean, z_log_var = inputs
            batch = ops.shape(z_mean)[0]
            dim = ops.shape(z_mean)[1]
            epsilon = keras.random.normal(shape=(batch, dim), seed=self.seed_generator)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    encoder_inputs = keras.Input(shape=(28, 28, 1))
    x = layers.Conv2D(8, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Conv2D(16, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Flatten()(x)
    x = layers.Dense(16, activation="relu")(x)
    z_mean = layers.Dense(latent_dim, name="z_mean")(x)
    z_log_var = layers.Dense(latent_dim, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = keras.Input(shape=(latent_dim,))
    x = layers.Dense(7 * 7 * 16, activation="relu")(latent_inputs)
    x = layers.Reshape((7, 7, 16))(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu", strides=2, padding="same")(x)
    x = layers.Conv2DTranspose(8, 3, activation="relu", strides=2, padding="same")(x)
    decoder_outputs = layers.Conv2DTranspose(1, 3, activation="sigmoid", padding="same")(x)
    decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")

    class VAE(keras.Model):
        def __init__(self, encoder, decoder, **kwargs):
            super().__init__(**kwargs)
            self.encoder = encoder
            self.decoder = decoder
            self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
            self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

        @property
        def metrics(self):
            return [self.total_loss_tracker, self.kl_loss_tracker]

        def call(self, data):
            z_mean, z_log_var, z = self.encoder(data)
            return self.decoder(z), z_mean, z_log_var

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         allow_empty=False):
            reconstruction, z_mean, z_log_var = y_pred
            reconstruction_loss = ops.mean(ops.sum(
                keras.losses.binary_crossentropy(x, reconstruction), axis=(1, 2)))
            kl_loss = -0.5 * (1 + z_log_var - ops.square(z_mean) - ops.exp(z_log_var))
            kl_loss = ops.mean(ops.sum(kl_loss, axis=1))
            total_loss = reconstruction_loss + kl_loss
            self.total_loss_tracker.update_state(total_loss)
            self.kl_loss_tracker.update_state(kl_loss)
            return total_loss

    rng = np.random.default_rng(0)
    mnist_digits = (rng.random((32, 28, 28, 1)) > 0.7).astype("float32")
    vae = VAE(encoder, decoder)
    vae.compile(optimizer=keras.optimizers.Adam())
    history = vae.fit(mnist_digits, epochs=2, batch_size=8, verbose=0)
    assert_finite_history(history, "total_loss", "kl_loss")
    z_mean, _, _ = vae.encoder.predict(mnist_digits[:4], verbose=0)
    assert z_mean.shape == (4, latent_dim)


def test_timeseries_anomaly_detection_autoencoder():
    rng = np.random.default_rng(0)
    values = np.sin(np.arange(400) / 10)[:, None] + 0.1 * rng.normal(size=(400, 1))
    training_mean, training_std = values.mean(), values.std()
    df_training_value = (values - training_mean) / training_std
    time_steps = 32

    def create_sequences(values, time_steps=time_steps):
        output = []
        for i in range(len(values) - time_steps + 1):
            output.append(values[i: (i + time_steps)])
        return np.stack(output)

    x_train = create_sequences(df_training_value).astype("float32")
    model = keras.Sequential([
        layers.Input(shape=(x_train.shape[1], x_train.shape[2])),
        layers.Conv1D(filters=8, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1D(filters=4, kernel_size=7, padding="same", strides=2, activation="relu"),
        layers.Conv1DTranspose(filters=4, kernel_size=7, padding="same", strides=2,
                               activation="relu"),
        layers.Dropout(rate=0.2),
        layers.Conv1DTranspose(filters=8, kernel_size=7, padding="same", strides=2,
                               activation="relu"),
        layers.Conv1DTranspose(filters=1, kernel_size=7, padding="same"),
    ])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    history = model.fit(x_train, x_train, epochs=2, batch_size=64, validation_split=0.1,
                        callbacks=[keras.callbacks.EarlyStopping(monitor="val_loss",
                                                                 patience=5, mode="min")],
                        verbose=0)
    assert_finite_history(history, "val_loss")
    x_train_pred = model.predict(x_train, verbose=0)
    train_mae_loss = np.mean(np.abs(x_train_pred - x_train), axis=1)
    threshold = np.max(train_mae_loss)
    assert x_train_pred.shape == x_train.shape and np.isfinite(threshold)


def test_custom_train_metrics_with_trackers_and_state():
    class CustomModel(keras.Model):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.loss_tracker = keras.metrics.Mean(name="loss")
            self.mae_metric = keras.metrics.MeanAbsoluteError(name="mae")

        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None,
                         allow_empty=False):
            loss = ops.mean(ops.square(y_pred - y))
            self.loss_tracker.update_state(loss)
            self.mae_metric.update_state(y, y_pred)
            return loss

        @property
        def metrics(self):
            return [self.loss_tracker, self.mae_metric]

    inputs = keras.Input(shape=(32,))
    outputs = keras.layers.Dense(1)(inputs)
    model = CustomModel(inputs, outputs)
    model.compile(optimizer="adam")
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 32)), rng.random((64, 1))
    history = model.fit(x, y, epochs=2, verbose=0)
    assert_finite_history(history, "mae")
    assert history.history["loss"][1] < history.history["loss"][0]


def test_bidirectional_lstm_imdb_keras3():
    max_features, maxlen = 2000, 60
    rng = np.random.default_rng(0)
    x_train = [list(rng.integers(1, max_features, size=rng.integers(5, 90)))
               for _ in range(48)]
    y_train = rng.integers(0, 2, size=48)
    x_train = keras.utils.pad_sequences(x_train, maxlen=maxlen)
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(max_features, 16)(inputs)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(8))(x)
    outputs = layers.Dense(1, activation="sigmoid")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=1,
                        validation_data=(x_train, y_train), verbose=0)
    assert_finite_history(history, "val_accuracy")


def test_keras2_style_callbacks_tensorboard_csv_and_schedule(tmp_path):
    pytest.importorskip("tensorboardX")
    rng = np.random.default_rng(0)
    x, y = rng.random((64, 8)).astype("float32"), rng.integers(0, 3, size=64)
    model = keras.Sequential([keras.layers.Input((8,)),
                              keras.layers.Dense(16, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy", metrics=["accuracy"])
    callbacks = [keras.callbacks.TensorBoard(log_dir=str(tmp_path / "logs")),
                 keras.callbacks.CSVLogger(str(tmp_path / "training.log")),
                 keras.callbacks.LearningRateScheduler(lambda epoch: 0.01 * 0.95 ** epoch)]
    history = model.fit(x, y, epochs=2, batch_size=16, validation_split=0.25,
                        callbacks=callbacks, verbose=0)
    assert_finite_history(history, "val_accuracy")
    assert os.listdir(tmp_path / "logs" / "train")
    assert len((tmp_path / "training.log").read_text().splitlines()) == 3
