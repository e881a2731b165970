"""Keras 2 programs, written the way Keras 2 users wrote them, run on lamina.

Each test is one program modelled on a classic Keras 2 example (``examples/`` of
keras-team/keras before Keras 3): the same layers, arguments, imports and idioms,
with ``keras`` replaced by ``lamina`` in the imports, the data set replaced by
synthetic arrays of the same shapes (fewer samples) and one or two epochs. Each
asserts what its user would look at: finite losses, the shapes of predictions, and
the values the program prints.
"""

import math

import numpy as np
import pytest

from lamina import backend as K

pytestmark = pytest.mark.skipif(K.backend() == "numpy",
                                reason="these programs train; numpy runs inference only")


def assert_finite_history(history, *keys):
    for key in ("loss",) + keys:
        values = history.history[key]
        assert values and all(math.isfinite(v) for v in values), (key, values)


def fake_mnist(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 256, size=(n, 28, 28)).astype("uint8")
    y = rng.integers(0, 10, size=(n,)).astype("uint8")
    return x, y


def fake_imdb(n=64, vocab=2000, seed=0):
    """Reviews as lists of word indices of different lengths, labels 0/1."""
    rng = np.random.default_rng(seed)
    x = [list(rng.integers(1, vocab, size=rng.integers(5, 120))) for _ in range(n)]
    return x, rng.integers(0, 2, size=n)


def test_mnist_mlp():
    import lamina
    from lamina.datasets import mnist  # noqa: F401  (the program's import; data is synthetic)
    from lamina.layers import Dense, Dropout
    from lamina.models import Sequential
    from lamina.optimizers import RMSprop

    batch_size, num_classes, epochs = 16, 10, 2
    x_train, y_train = fake_mnist()
    x_train = x_train.reshape(64, 784).astype("float32") / 255
    y_train = lamina.utils.to_categorical(y_train, num_classes)

    model = Sequential()
    model.add(Dense(512, activation="relu", input_shape=(784,)))
    model.add(Dropout(0.2))
    model.add(Dense(512, activation="relu"))
    model.add(Dropout(0.2))
    model.add(Dense(num_classes, activation="softmax"))
    model.summary(print_fn=lambda *a, **k: None)
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                        validation_data=(x_train, y_train))
    score = model.evaluate(x_train, y_train, verbose=0)
    assert_finite_history(history, "val_loss", "accuracy")
    assert len(score) == 2 and 0.0 <= score[1] <= 1.0


def test_mnist_cnn():
    import lamina
    from lamina import backend as K
    from lamina.layers import Conv2D, Dense, Dropout, Flatten, MaxPooling2D
    from lamina.models import Sequential

    img_rows, img_cols, num_classes = 28, 28, 10
    x_train, y_train = fake_mnist(32)
    if K.image_data_format() == "channels_first":
        x_train = x_train.reshape(x_train.shape[0], 1, img_rows, img_cols)
        input_shape = (1, img_rows, img_cols)
    else:
        x_train = x_train.reshape(x_train.shape[0], img_rows, img_cols, 1)
        input_shape = (img_rows, img_cols, 1)
    x_train = x_train.astype("float32") / 255
    y_train = lamina.utils.to_categorical(y_train, num_classes)

    model = Sequential()
    model.add(Conv2D(32, kernel_size=(3, 3), activation="relu", input_shape=input_shape))
    model.add(Conv2D(64, (3, 3), activation="relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(128, activation="relu"))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes, activation="softmax"))
    model.compile(loss=lamina.losses.categorical_crossentropy,
                  optimizer=lamina.optimizers.Adadelta(), metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=1, verbose=0)
    assert_finite_history(history)
    assert model.predict(x_train[:3], verbose=0).shape == (3, 10)


def test_mnist_siamese():
    from lamina import backend as K
    from lamina.layers import Dense, Dropout, Flatten, Input, Lambda
    from lamina.models import Model
    from lamina.optimizers import RMSprop

    def euclidean_distance(vects):
        x, y = vects
        sum_square = K.sum(K.square(x - y), axis=1, keepdims=True)
        return K.sqrt(K.maximum(sum_square, K.epsilon()))

    def eucl_dist_output_shape(shapes):
        shape1, shape2 = shapes
        return (shape1[0], 1)

    def contrastive_loss(y_true, y_pred):
        margin = 1
        square_pred = K.square(y_pred)
        margin_square = K.square(K.maximum(margin - y_pred, 0))
        return K.mean(y_true * square_pred + (1 - y_true) * margin_square)

    def accuracy(y_true, y_pred):
        return K.mean(K.equal(y_true, K.cast(y_pred < 0.5, y_true.dtype)))

    def create_base_network(input_shape):
        input = Input(shape=input_shape)
        x = Flatten()(input)
        x = Dense(128, activation="relu")(x)
        x = Dropout(0.1)(x)
        x = Dense(128, activation="relu")(x)
        return Model(input, x)

    x, _ = fake_mnist(64)
    x = x.astype("float32") / 255
    pairs = np.stack([x[:32], x[32:]], axis=1)
    labels = (np.arange(32) % 2).astype("float32")
    input_shape = x.shape[1:]
    base_network = create_base_network(input_shape)
    input_a = Input(shape=input_shape)
    input_b = Input(shape=input_shape)
    processed_a = base_network(input_a)
    processed_b = base_network(input_b)
    distance = Lambda(euclidean_distance,
                      output_shape=eucl_dist_output_shape)([processed_a, processed_b])
    model = Model([input_a, input_b], distance)
    model.compile(loss=contrastive_loss, optimizer=RMSprop(), metrics=[accuracy])
    history = model.fit([pairs[:, 0], pairs[:, 1]], labels, batch_size=8, epochs=2,
                        verbose=0, validation_data=([pairs[:, 0], pairs[:, 1]], labels))
    assert_finite_history(history, "val_loss", "accuracy")
    y_pred = model.predict([pairs[:, 0], pairs[:, 1]], verbose=0)
    assert y_pred.shape == (32, 1) and (y_pred >= 0).all()


def test_variational_autoencoder_with_add_loss():
    from lamina import backend as K
    from lamina.layers import Dense, Input, Lambda
    from lamina.losses import binary_crossentropy, mse  # noqa: F401
    from lamina.models import Model

    original_dim, intermediate_dim, latent_dim = 784, 64, 2

    def sampling(args):
        z_mean, z_log_var = args
        batch = K.shape(z_mean)[0]
        dim = K.int_shape(z_mean)[1]
        epsilon = K.random_normal(shape=(batch, dim))
        return z_mean + K.exp(0.5 * z_log_var) * epsilon

    inputs = Input(shape=(original_dim,), name="encoder_input")
    x = Dense(intermediate_dim, activation="relu")(inputs)
    z_mean = Dense(latent_dim, name="z_mean")(x)
    z_log_var = Dense(latent_dim, name="z_log_var")(x)
    z = Lambda(sampling, output_shape=(latent_dim,), name="z")([z_mean, z_log_var])
    encoder = Model(inputs, [z_mean, z_log_var, z], name="encoder")

    latent_inputs = Input(shape=(latent_dim,), name="z_sampling")
    x = Dense(intermediate_dim, activation="relu")(latent_inputs)
    outputs = Dense(original_dim, activation="sigmoid")(x)
    decoder = Model(latent_inputs, outputs, name="decoder")

    outputs = decoder(encoder(inputs)[2])
    vae = Model(inputs, outputs, name="vae_mlp")
    reconstruction_loss = binary_crossentropy(inputs, outputs)
    reconstruction_loss *= original_dim
    kl_loss = 1 + z_log_var - K.square(z_mean) - K.exp(z_log_var)
    kl_loss = K.sum(kl_loss, axis=-1)
    kl_loss *= -0.5
    vae_loss = K.mean(reconstruction_loss + kl_loss)
    vae.add_loss(vae_loss)
    vae.compile(optimizer="adam")

    x_train, _ = fake_mnist(64)
    x_train = x_train.reshape(-1, original_dim).astype("float32") / 255
    history = vae.fit(x_train, epochs=2, batch_size=16, verbose=0,
                      validation_data=(x_train, None))
    assert_finite_history(history, "val_loss")
    z_mean_pred, _, _ = encoder.predict(x_train, batch_size=16, verbose=0)
    assert z_mean_pred.shape == (64, 2)
    assert decoder.predict(np.zeros((1, 2)), verbose=0).shape == (1, 784)


def test_babi_memory_network():
    from lamina.layers import (LSTM, Activation, Dense, Dropout, Embedding, Input, Permute,
                               add, concatenate, dot)
    from lamina.models import Model, Sequential

    vocab_size, story_maxlen, query_maxlen, n = 22, 68, 4, 32
    rng = np.random.default_rng(0)
    inputs_train = rng.integers(0, vocab_size, size=(n, story_maxlen))
    queries_train = rng.integers(0, vocab_size, size=(n, query_maxlen))
    answers_train = rng.integers(0, vocab_size, size=(n,))

    input_sequence = Input((story_maxlen,))
    question = Input((query_maxlen,))
    input_encoder_m = Sequential()
    input_encoder_m.add(Embedding(input_dim=vocab_size, output_dim=64))
    input_encoder_m.add(Dropout(0.3))
    input_encoder_c = Sequential()
    input_encoder_c.add(Embedding(input_dim=vocab_size, output_dim=query_maxlen))
    input_encoder_c.add(Dropout(0.3))
    question_encoder = Sequential()
    question_encoder.add(Embedding(input_dim=vocab_size, output_dim=64,
                                   input_length=query_maxlen))
    question_encoder.add(Dropout(0.3))

    input_encoded_m = input_encoder_m(input_sequence)
    input_encoded_c = input_encoder_c(input_sequence)
    question_encoded = question_encoder(question)
    match = dot([input_encoded_m, question_encoded], axes=(2, 2))
    match = Activation("softmax")(match)
    response = add([match, input_encoded_c])
    response = Permute((2, 1))(response)
    answer = concatenate([response, question_encoded])
    answer = LSTM(32)(answer)
    answer = Dropout(0.3)(answer)
    answer = Dense(vocab_size)(answer)
    answer = Activation("softmax")(answer)

    model = Model([input_sequence, question], answer)
    model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    history = model.fit([inputs_train, queries_train], answers_train, batch_size=16,
                        epochs=2, verbose=0,
                        validation_data=([inputs_train, queries_train], answers_train))
    assert_finite_history(history, "val_accuracy")
    assert model.predict([inputs_train[:2], queries_train[:2]], verbose=0).shape == (2, 22)


def test_imdb_lstm():
    from lamina.layers import LSTM, Dense, Embedding
    from lamina.models import Sequential
    from lamina.preprocessing import sequence

    max_features, maxlen, batch_size = 2000, 80, 16
    x_train, y_train = fake_imdb()
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    assert x_train.shape == (64, 80)

    model = Sequential()
    model.add(Embedding(max_features, 32))
    model.add(LSTM(32, dropout=0.2, recurrent_dropout=0.2))
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=batch_size, epochs=1, verbose=0,
                        validation_data=(x_train, y_train))
    score, acc = model.evaluate(x_train, y_train, batch_size=batch_size, verbose=0)
    assert_finite_history(history, "val_loss")
    assert math.isfinite(score) and 0.0 <= acc <= 1.0


def test_imdb_cnn():
    from lamina.layers import (Activation, Conv1D, Dense, Dropout, Embedding,
                               GlobalMaxPooling1D)
    from lamina.models import Sequential
    from lamina.preprocessing import sequence

    max_features, maxlen, embedding_dims, filters, kernel_size = 2000, 100, 16, 32, 3
    x_train, y_train = fake_imdb()
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)

    model = Sequential()
    model.add(Embedding(max_features, embedding_dims, input_length=maxlen))
    model.add(Dropout(0.2))
    model.add(Conv1D(filters, kernel_size, padding="valid", activation="relu", strides=1))
    model.add(GlobalMaxPooling1D())
    model.add(Dense(32))
    model.add(Dropout(0.2))
    model.add(Activation("relu"))
    model.add(Dense(1))
    model.add(Activation("sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=1, verbose=0,
                        validation_data=(x_train, y_train))
    assert_finite_history(history, "val_accuracy")


def test_imdb_bidirectional_lstm():
    from lamina.layers import LSTM, Bidirectional, Dense, Dropout, Embedding
    from lamina.models import Sequential
    from lamina.preprocessing import sequence

    max_features, maxlen = 2000, 50
    x_train, y_train = fake_imdb()
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)
    y_train = np.array(y_train)

    model = Sequential()
    model.add(Embedding(max_features, 32, input_length=maxlen))
    model.add(Bidirectional(LSTM(16)))
    model.add(Dropout(0.5))
    model.add(Dense(1, activation="sigmoid"))
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=1, verbose=0,
                        validation_data=[x_train, y_train])
    assert_finite_history(history, "val_accuracy")
    assert model.predict(x_train[:4], verbose=0).shape == (4, 1)


def test_imdb_fasttext_bigrams():
    from lamina.layers import Dense, Embedding, GlobalAveragePooling1D
    from lamina.models import Sequential
    from lamina.preprocessing import sequence

    def create_ngram_set(input_list, ngram_value=2):
        return set(zip(*[input_list[i:] for i in range(ngram_value)]))

    def add_ngram(sequences, token_indice, ngram_range=2):
        new_sequences = []
        for input_list in sequences:
            new_list = input_list[:]
            for ngram_value in range(2, ngram_range + 1):
                for i in range(len(new_list) - ngram_value + 1):
                    ngram = tuple(new_list[i:i + ngram_value])
                    if ngram in token_indice:
                        new_list.append(token_indice[ngram])
            new_sequences.append(new_list)
        return new_sequences

    max_features, maxlen = 2000, 120
    x_train, y_train = fake_imdb(48, vocab=50)
    x_train = [[int(w) for w in review] for review in x_train]
    ngram_set = set()
    for input_list in x_train:
        ngram_set.update(create_ngram_set(input_list, ngram_value=2))
    start_index = max_features + 1
    token_indice = {v: k + start_index for k, v in enumerate(ngram_set)}
    max_features = np.max(list(token_indice.values())) + 1
    x_train = add_ngram(x_train, token_indice, 2)
    x_train = sequence.pad_sequences(x_train, maxlen=maxlen)

    model = Sequential()
    model.add(Embedding(max_features, 16, input_length=maxlen))
    model.add(GlobalAveragePooling1D())
    model.add(Dense(1, activation="sigmoid"))
    model.compile(loss="binary_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0)
    assert_finite_history(history, "accuracy")


def test_lstm_seq2seq_with_inference_models():
    from lamina.layers import LSTM, Dense, Input
    from lamina.models import Model

    num_encoder_tokens, num_decoder_tokens, latent_dim = 12, 14, 32
    n, max_encoder_len, max_decoder_len = 24, 9, 7
    rng = np.random.default_rng(0)
    encoder_input_data = np.zeros((n, max_encoder_len, num_encoder_tokens), dtype="float32")
    decoder_input_data = np.zeros((n, max_decoder_len, num_decoder_tokens), dtype="float32")
    decoder_target_data = np.zeros((n, max_decoder_len, num_decoder_tokens), dtype="float32")
    for i in range(n):
        for t, c in enumerate(rng.integers(0, num_encoder_tokens, size=max_encoder_len)):
            encoder_input_data[i, t, c] = 1.0
        for t, c in enumerate(rng.integers(0, num_decoder_tokens, size=max_decoder_len)):
            decoder_input_data[i, t, c] = 1.0
            if t > 0:
                decoder_target_data[i, t - 1, c] = 1.0

    encoder_inputs = Input(shape=(None, num_encoder_tokens))
    encoder = LSTM(latent_dim, return_state=True)
    encoder_outputs, state_h, state_c = encoder(encoder_inputs)
    encoder_states = [state_h, state_c]
    decoder_inputs = Input(shape=(None, num_decoder_tokens))
    decoder_lstm = LSTM(latent_dim, return_sequences=True, return_state=True)
    decoder_outputs, _, _ = decoder_lstm(decoder_inputs, initial_state=encoder_states)
    decoder_dense = Dense(num_decoder_tokens, activation="softmax")
    decoder_outputs = decoder_dense(decoder_outputs)
    model = Model([encoder_inputs, decoder_inputs], decoder_outputs)
    model.compile(optimizer="rmsprop", loss="categorical_crossentropy")
    history = model.fit([encoder_input_data, decoder_input_data], decoder_target_data,
                        batch_size=8, epochs=2, validation_split=0.25, verbose=0)
    assert_finite_history(history, "val_loss")

    encoder_model = Model(encoder_inputs, encoder_states)
    decoder_state_input_h = Input(shape=(latent_dim,))
    decoder_state_input_c = Input(shape=(latent_dim,))
    decoder_states_inputs = [decoder_state_input_h, decoder_state_input_c]
    decoder_outputs, state_h, state_c = decoder_lstm(
        decoder_inputs, initial_state=decoder_states_inputs)
    decoder_outputs = decoder_dense(decoder_outputs)
    decoder_model = Model([decoder_inputs] + decoder_states_inputs,
                          [decoder_outputs, state_h, state_c])

    states_value = encoder_model.predict(encoder_input_data[:1], verbose=0)
    target_seq = np.zeros((1, 1, num_decoder_tokens))
    target_seq[0, 0, 0] = 1.0
    decoded = []
    for _ in range(5):
        output_tokens, h, c = decoder_model.predict([target_seq] + states_value, verbose=0)
        sampled_token_index = np.argmax(output_tokens[0, -1, :])
        decoded.append(sampled_token_index)
        target_seq = np.zeros((1, 1, num_decoder_tokens))
        target_seq[0, 0, sampled_token_index] = 1.0
        states_value = [h, c]
    assert output_tokens.shape == (1, 1, num_decoder_tokens) and h.shape == (1, latent_dim)
    assert len(decoded) == 5


def test_cifar10_cnn_with_image_data_generator(tmp_path):
    import lamina
    from lamina.layers import (Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D)
    from lamina.models import Sequential
    from lamina.preprocessing.image import ImageDataGenerator

    num_classes, batch_size = 10, 16
    rng = np.random.default_rng(0)
    x_train = rng.integers(0, 256, size=(48, 32, 32, 3)).astype("uint8")
    y_train = rng.integers(0, 10, size=(48, 1))
    y_train = lamina.utils.to_categorical(y_train, num_classes)

    model = Sequential()
    model.add(Conv2D(32, (3, 3), padding="same", input_shape=x_train.shape[1:]))
    model.add(Activation("relu"))
    model.add(Conv2D(32, (3, 3)))
    model.add(Activation("relu"))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.25))
    model.add(Flatten())
    model.add(Dense(64))
    model.add(Activation("relu"))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes))
    model.add(Activation("softmax"))
    with pytest.warns(DeprecationWarning):
        opt = lamina.optimizers.RMSprop(lr=0.0001, decay=1e-6)
    model.compile(loss="categorical_crossentropy", optimizer=opt, metrics=["accuracy"])

    x_train = x_train.astype("float32") / 255
    datagen = ImageDataGenerator(
        featurewise_center=False, samplewise_center=False,
        featurewise_std_normalization=False, samplewise_std_normalization=False,
        zca_whitening=False, rotation_range=0, width_shift_range=0.1,
        height_shift_range=0.1, horizontal_flip=True, vertical_flip=False)
    datagen.fit(x_train)
    with pytest.warns(DeprecationWarning):
        history = model.fit_generator(datagen.flow(x_train, y_train, batch_size=batch_size),
                                      epochs=1, validation_data=(x_train, y_train),
                                      workers=1, verbose=0)
    assert_finite_history(history, "val_loss")
    model_path = str(tmp_path / "keras_cifar10_trained_model.h5")
    with pytest.warns(UserWarning):
        model.save(model_path)
    restored = lamina.models.load_model(model_path)
    np.testing.assert_allclose(restored.predict(x_train[:4], verbose=0),
                               model.predict(x_train[:4], verbose=0), rtol=1e-5, atol=1e-6)


def test_conv_lstm_next_frame():
    from lamina.layers import BatchNormalization, Conv3D, ConvLSTM2D
    from lamina.models import Sequential

    seq = Sequential()
    seq.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), input_shape=(None, 16, 16, 1),
                       padding="same", return_sequences=True))
    seq.add(BatchNormalization())
    seq.add(ConvLSTM2D(filters=8, kernel_size=(3, 3), padding="same",
                       return_sequences=True))
    seq.add(BatchNormalization())
    seq.add(Conv3D(filters=1, kernel_size=(3, 3, 3), activation="sigmoid", padding="same",
                   data_format="channels_last"))
    seq.compile(loss="binary_crossentropy", optimizer="adadelta")

    rng = np.random.default_rng(0)
    movies = (rng.random((8, 6, 16, 16, 1)) > 0.9).astype("float32")
    noisy, shifted = movies[:, :-1], movies[:, 1:]
    history = seq.fit(noisy, shifted, batch_size=4, epochs=1, verbose=0)
    assert_finite_history(history)
    new = seq.predict(noisy[:1, :3], verbose=0)
    assert new.shape == (1, 3, 16, 16, 1)


def test_addition_rnn_with_boolean_one_hot():
    from lamina import layers
    from lamina.models import Sequential

    class CharacterTable:
        def __init__(self, chars):
            self.chars = sorted(set(chars))
            self.char_indices = {c: i for i, c in enumerate(self.chars)}
            self.indices_char = {i: c for i, c in enumerate(self.chars)}

        def encode(self, C, num_rows):
            x = np.zeros((num_rows, len(self.chars)))
            for i, c in enumerate(C):
                x[i, self.char_indices[c]] = 1
            return x

        def decode(self, x, calc_argmax=True):
            if calc_argmax:
                x = x.argmax(axis=-1)
            return "".join(self.indices_char[x] for x in x)

    digits = 3
    maxlen = digits + 1 + digits
    chars = "0123456789+ "
    ctable = CharacterTable(chars)
    rng = np.random.default_rng(0)
    questions, expected = [], []
    while len(questions) < 64:
        a, b = (int(rng.integers(0, 10 ** digits)) for _ in range(2))
        q = f"{a}+{b}"
        questions.append(q + " " * (maxlen - len(q)))
        ans = str(a + b)
        expected.append(ans + " " * (digits + 1 - len(ans)))
    x = np.zeros((len(questions), maxlen, len(chars)), dtype=bool)
    y = np.zeros((len(questions), digits + 1, len(chars)), dtype=bool)
    for i, sentence in enumerate(questions):
        x[i] = ctable.encode(sentence, maxlen)
    for i, sentence in enumerate(expected):
        y[i] = ctable.encode(sentence, digits + 1)

    model = Sequential()
    model.add(layers.LSTM(32, input_shape=(maxlen, len(chars))))
    model.add(layers.RepeatVector(digits + 1))
    model.add(layers.LSTM(32, return_sequences=True))
    model.add(layers.TimeDistributed(layers.Dense(len(chars), activation="softmax")))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x, y, batch_size=16, epochs=2, validation_data=(x, y), verbose=0)
    assert_finite_history(history, "val_accuracy")
    rowx = x[np.array([3])]
    with pytest.warns(DeprecationWarning):
        preds = model.predict_classes(rowx, verbose=0)
    guess = ctable.decode(preds[0], calc_argmax=False)
    assert preds.shape == (1, digits + 1) and len(guess) == digits + 1


def test_reuters_mlp_with_tokenizer():
    import lamina
    from lamina.layers import Activation, Dense, Dropout
    from lamina.models import Sequential
    from lamina.preprocessing.text import Tokenizer

    max_words, num_classes = 1000, 46
    rng = np.random.default_rng(0)
    x_train = [list(rng.integers(1, max_words, size=rng.integers(10, 80))) for _ in range(64)]
    y_train = rng.integers(0, num_classes, size=64)
    tokenizer = Tokenizer(num_words=max_words)
    x_train = tokenizer.sequences_to_matrix(x_train, mode="binary")
    y_train = lamina.utils.to_categorical(y_train, num_classes)
    assert x_train.shape == (64, max_words)

    model = Sequential()
    model.add(Dense(128, input_shape=(max_words,)))
    model.add(Activation("relu"))
    model.add(Dropout(0.5))
    model.add(Dense(num_classes))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0,
                        validation_split=0.1)
    score = model.evaluate(x_train, y_train, batch_size=16, verbose=0)
    assert model.metrics_names == ["loss", "accuracy"]
    assert_finite_history(history, "val_loss")
    assert len(score) == 2


def test_mnist_irnn():
    import lamina
    from lamina import initializers
    from lamina.layers import Activation, Dense, SimpleRNN
    from lamina.models import Sequential
    from lamina.optimizers import RMSprop

    x_train, y_train = fake_mnist(32)
    x_train = x_train.reshape(x_train.shape[0], -1, 1).astype("float32")[:, :100] / 255
    y_train = lamina.utils.to_categorical(y_train, 10)

    model = Sequential()
    model.add(SimpleRNN(16, kernel_initializer=initializers.RandomNormal(stddev=0.001),
                        recurrent_initializer=initializers.Identity(gain=1.0),
                        activation="relu", input_shape=x_train.shape[1:]))
    model.add(Dense(10))
    model.add(Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(learning_rate=1e-6),
                  metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=1, verbose=0)
    assert_finite_history(history)


def test_antirectifier_custom_layer():
    import lamina
    from lamina import backend as K
    from lamina import layers
    from lamina.models import Sequential

    class Antirectifier(layers.Layer):
        def compute_output_shape(self, input_shape):
            shape = list(input_shape)
            assert len(shape) == 2
            shape[-1] *= 2
            return tuple(shape)

        def call(self, inputs):
            inputs -= K.mean(inputs, axis=1, keepdims=True)
            inputs = K.l2_normalize(inputs, axis=1)
            pos = K.relu(inputs)
            neg = K.relu(-inputs)
            return K.concatenate([pos, neg], axis=1)

    x_train, y_train = fake_mnist(64)
    x_train = x_train.reshape(64, 784).astype("float32") / 255
    y_train = lamina.utils.to_categorical(y_train, 10)
    model = Sequential()
    model.add(layers.Dense(64, input_shape=(784,)))
    model.add(Antirectifier())
    model.add(layers.Dropout(0.1))
    model.add(layers.Dense(10))
    model.add(layers.Activation("softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=2, verbose=0)
    assert_finite_history(history)
    assert model.layers[1].output_shape == (None, 128)


def test_mnist_denoising_autoencoder():
    from lamina import backend as K
    from lamina.layers import Conv2D, Conv2DTranspose, Dense, Flatten, Input, Reshape
    from lamina.models import Model

    x_train, _ = fake_mnist(32)
    image_size = x_train.shape[1]
    x_train = np.reshape(x_train, [-1, image_size, image_size, 1]).astype("float32") / 255
    noise = np.random.default_rng(1).normal(loc=0.5, scale=0.5, size=x_train.shape)
    x_train_noisy = np.clip(x_train + noise, 0.0, 1.0)

    input_shape, kernel_size, latent_dim = (image_size, image_size, 1), 3, 16
    inputs = Input(shape=input_shape, name="encoder_input")
    x = inputs
    for filters in [16, 32]:
        x = Conv2D(filters=filters, kernel_size=kernel_size, strides=2, activation="relu",
                   padding="same")(x)
    shape = K.int_shape(x)
    x = Flatten()(x)
    latent = Dense(latent_dim, name="latent_vector")(x)
    encoder = Model(inputs, latent, name="encoder")

    latent_inputs = Input(shape=(latent_dim,), name="decoder_input")
    x = Dense(shape[1] * shape[2] * shape[3])(latent_inputs)
    x = Reshape((shape[1], shape[2], shape[3]))(x)
    for filters in [32, 16]:
        x = Conv2DTranspose(filters=filters, kernel_size=kernel_size, strides=2,
                            activation="relu", padding="same")(x)
    x = Conv2DTranspose(filters=1, kernel_size=kernel_size, padding="same")(x)
    outputs = K.sigmoid(x)
    decoder = Model(latent_inputs, outputs, name="decoder")
    autoencoder = Model(inputs, decoder(encoder(inputs)), name="autoencoder")
    autoencoder.compile(loss="mse", optimizer="adam")
    history = autoencoder.fit(x_train_noisy, x_train, validation_data=(x_train_noisy, x_train),
                              epochs=1, batch_size=16, verbose=0)
    assert_finite_history(history, "val_loss")
    assert autoencoder.predict(x_train_noisy[:2], verbose=0).shape == (2, 28, 28, 1)


def test_lstm_text_generation_with_lambda_callback():
    from lamina.callbacks import LambdaCallback
    from lamina.layers import LSTM, Dense
    from lamina.models import Sequential
    from lamina.optimizers import RMSprop

    text = "the quick brown fox jumps over the lazy dog " * 8
    chars = sorted(list(set(text)))
    char_indices = {c: i for i, c in enumerate(chars)}
    indices_char = {i: c for i, c in enumerate(chars)}
    maxlen, step = 20, 5
    sentences = [text[i: i + maxlen] for i in range(0, len(text) - maxlen, step)]
    next_chars = [text[i + maxlen] for i in range(0, len(text) - maxlen, step)]
    x = np.zeros((len(sentences), maxlen, len(chars)), dtype=bool)
    y = np.zeros((len(sentences), len(chars)), dtype=bool)
    for i, sentence in enumerate(sentences):
        for t, char in enumerate(sentence):
            x[i, t, char_indices[char]] = 1
        y[i, char_indices[next_chars[i]]] = 1

    model = Sequential()
    model.add(LSTM(32, input_shape=(maxlen, len(chars))))
    model.add(Dense(len(chars), activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer=RMSprop(learning_rate=0.01))

    def sample(preds, temperature=1.0):
        preds = np.asarray(preds).astype("float64")
        preds = np.log(preds) / temperature
        exp_preds = np.exp(preds)
        preds = exp_preds / np.sum(exp_preds)
        return np.argmax(np.random.default_rng(0).multinomial(1, preds, 1))

    generated = []

    def on_epoch_end(epoch, _):
        sentence = text[:maxlen]
        for _ in range(10):
            x_pred = np.zeros((1, maxlen, len(chars)))
            for t, char in enumerate(sentence):
                x_pred[0, t, char_indices[char]] = 1.0
            preds = model.predict(x_pred, verbose=0)[0]
            next_char = indices_char[sample(preds, 0.5)]
            sentence = sentence[1:] + next_char
            generated.append(next_char)

    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0,
                        callbacks=[LambdaCallback(on_epoch_end=on_epoch_end)])
    assert_finite_history(history)
    assert len(generated) == 10 and all(c in chars for c in generated)


def test_mnist_hierarchical_rnn():
    import lamina
    from lamina.layers import LSTM, Dense, Input, TimeDistributed
    from lamina.models import Model

    x_train, y_train = fake_mnist(32)
    x_train = x_train.reshape(32, 28, 28, 1).astype("float32") / 255
    y_train = lamina.utils.to_categorical(y_train, 10)
    row, col, pixel = x_train.shape[1:]
    x = Input(shape=(row, col, pixel))
    encoded_rows = TimeDistributed(LSTM(16))(x)
    encoded_columns = LSTM(16)(encoded_rows)
    prediction = Dense(10, activation="softmax")(encoded_columns)
    model = Model(x, prediction)
    model.compile(loss="categorical_crossentropy", optimizer="rmsprop", metrics=["accuracy"])
    history = model.fit(x_train, y_train, batch_size=16, epochs=1, verbose=0)
    assert_finite_history(history)
    scores = model.evaluate(x_train, y_train, verbose=0)
    assert len(scores) == 2


def test_multi_input_multi_output_with_names():
    from lamina.layers import LSTM, Dense, Embedding, Input, concatenate
    from lamina.models import Model

    main_input = Input(shape=(20,), dtype="int32", name="main_input")
    x = Embedding(output_dim=16, input_dim=1000, input_length=20)(main_input)
    lstm_out = LSTM(8)(x)
    auxiliary_output = Dense(1, activation="sigmoid", name="aux_output")(lstm_out)
    auxiliary_input = Input(shape=(5,), name="aux_input")
    x = concatenate([lstm_out, auxiliary_input])
    x = Dense(16, activation="relu")(x)
    main_output = Dense(1, activation="sigmoid", name="main_output")(x)
    model = Model(inputs=[main_input, auxiliary_input], outputs=[main_output, auxiliary_output])
    model.compile(optimizer="rmsprop",
                  loss={"main_output": "binary_crossentropy", "aux_output": "binary_crossentropy"},
                  loss_weights={"main_output": 1.0, "aux_output": 0.2})

    rng = np.random.default_rng(0)
    headline_data = rng.integers(0, 1000, size=(32, 20))
    additional_data = rng.normal(size=(32, 5))
    labels = rng.integers(0, 2, size=(32, 1))
    history = model.fit({"main_input": headline_data, "aux_input": additional_data},
                        {"main_output": labels, "aux_output": labels},
                        epochs=2, batch_size=8, verbose=0)
    assert_finite_history(history, "main_output_loss", "aux_output_loss")
    main, aux = model.predict({"main_input": headline_data, "aux_input": additional_data},
                              verbose=0)
    assert main.shape == (32, 1) and aux.shape == (32, 1)


def test_stateful_lstm():
    from lamina.layers import LSTM, Dense
    from lamina.models import Sequential

    batch_size, tsteps = 4, 3
    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, tsteps, 1)).astype("float32")
    y = x.mean(axis=1)
    model = Sequential()
    model.add(LSTM(8, input_shape=(tsteps, 1), batch_size=batch_size, return_sequences=False,
                   stateful=True))
    model.add(Dense(1))
    model.compile(loss="mse", optimizer="adam")
    for _ in range(2):
        history = model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0, shuffle=False)
        model.reset_states()
        assert_finite_history(history)
    assert model.predict(x, batch_size=batch_size, verbose=0).shape == (32, 1)


def test_mnist_transfer_cnn_freezing_layers():
    import lamina
    from lamina.layers import Activation, Conv2D, Dense, Dropout, Flatten, MaxPooling2D
    from lamina.models import Sequential

    x_train, y_train = fake_mnist(32)
    x_train = x_train.reshape(32, 28, 28, 1).astype("float32") / 255
    feature_layers = [Conv2D(8, 3, padding="valid", input_shape=(28, 28, 1)),
                      Activation("relu"), Conv2D(8, 3), Activation("relu"),
                      MaxPooling2D(pool_size=2), Dropout(0.25), Flatten()]
    classification_layers = [Dense(32), Activation("relu"), Dropout(0.5), Dense(5),
                             Activation("softmax")]
    model = Sequential(feature_layers + classification_layers)

    def train_model(model, train, num_classes):
        x, y = train
        y = lamina.utils.to_categorical(y, num_classes)
        model.compile(loss="categorical_crossentropy", optimizer="adadelta",
                      metrics=["accuracy"])
        return model.fit(x, y, batch_size=16, epochs=1, verbose=0)

    assert_finite_history(train_model(model, (x_train, y_train % 5), 5))
    before = [w.copy() for w in feature_layers[0].get_weights()]
    for layer in feature_layers:
        layer.trainable = False
    assert_finite_history(train_model(model, (x_train, y_train // 2), 5))
    for a, b in zip(before, feature_layers[0].get_weights()):
        np.testing.assert_array_equal(a, b)


def test_gradients_of_a_layer_output_with_k_function():
    from lamina import backend as K
    from lamina.layers import Conv2D, Dense, Flatten, Input
    from lamina.models import Model

    inputs = Input(shape=(8, 8, 3))
    x = Conv2D(4, 3, activation="relu", name="block1_conv1")(inputs)
    outputs = Dense(2)(Flatten()(x))
    model = Model(inputs, outputs)
    layer_output = model.get_layer("block1_conv1").output
    loss = K.mean(layer_output[:, :, :, 0])
    grads = K.gradients(loss, model.input)[0]
    grads /= K.sqrt(K.mean(K.square(grads))) + 1e-5
    iterate = K.function([model.input], [loss, grads])
    input_img_data = np.random.default_rng(0).random((1, 8, 8, 3)).astype("float32")
    for _ in range(3):
        loss_value, grads_value = iterate([input_img_data])
        input_img_data += grads_value * 0.1
    assert np.isfinite(loss_value) and grads_value.shape == (1, 8, 8, 3)
