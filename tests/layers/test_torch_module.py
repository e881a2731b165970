"""On the torch engine a lamina layer (and a model) is a torch.nn.Module: parameters,
state_dict, train/eval, to(), and hand-written torch training loops."""

import warnings

import numpy as np
import pytest

from lamina import Input, Model, Sequential, layers
from lamina import backend as K
from lamina.utils import set_random_seed

if K.backend() != "torch":
    pytest.skip("a lamina layer is a torch.nn.Module on the torch engine only",
                allow_module_level=True)

import torch  # noqa: E402


def mlp(features=4):
    """Dense(8, relu) -> BatchNormalization -> Dense(1): built, with non-trainable
    moving statistics."""
    x = Input((features,))
    h = layers.Dense(8, activation="relu")(x)
    h = layers.BatchNormalization()(h)
    return Model(x, layers.Dense(1)(h))


def regression(n=64, features=4, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, features)).astype("float32")
    y = (x @ rng.normal(size=(features, 1))).astype("float32")
    return x, y


def test_parameters_are_the_trainable_weights_storage_and_buffers_the_rest():
    model = mlp()
    assert isinstance(model, torch.nn.Module)
    parameters = list(model.parameters())
    assert len(parameters) == len(model.trainable_weights) == 6
    assert all(p is w.value for p, w in zip(parameters, model.trainable_weights))
    buffers = list(model.buffers())
    assert len(buffers) == len(model.non_trainable_weights) == 2
    assert all(b is w.value for b, w in zip(buffers, model.non_trainable_weights))
    names = [name for name, _ in model.named_parameters()]
    assert names == ["_graph_layers_0.kernel", "_graph_layers_0.bias",
                     "_graph_layers_1.gamma", "_graph_layers_1.beta",
                     "_graph_layers_2.kernel", "_graph_layers_2.bias"]
    assert sorted(model.state_dict()) == sorted(
        names + ["_graph_layers_1.moving_mean", "_graph_layers_1.moving_variance"])


def test_a_hand_written_torch_loop_trains_the_lamina_weights_that_predict_uses():
    set_random_seed(0)
    x, y = regression()
    model = Sequential([Input((4,)), layers.Dense(16, activation="tanh"), layers.Dense(1)])
    before = model.predict(x, verbose=0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    losses = []
    for _ in range(40):
        optimizer.zero_grad()
        loss = torch.mean((model(tx) - ty) ** 2)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.3 * losses[0]
    after = model.predict(x, verbose=0)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, model(tx).detach().numpy(), rtol=1e-5, atol=1e-6)
    first = model.layers[0]
    np.testing.assert_array_equal(first.get_weights()[0], first.kernel.value.detach().numpy())


class Net(torch.nn.Module):
    def __init__(self, dense):
        super().__init__()
        self.dense = dense
        self.head = torch.nn.Linear(3, 1)

    def forward(self, x):
        return self.head(torch.relu(self.dense(x)))


def test_a_layer_built_before_assignment_is_a_submodule_of_a_torch_module():
    dense = layers.Dense(3)
    dense(torch.ones(2, 5))
    net = Net(dense)
    names = [name for name, _ in net.named_parameters()]
    assert names == ["dense.kernel", "dense.bias", "head.weight", "head.bias"]
    assert list(net.state_dict()) == names
    assert next(net.parameters()) is dense.kernel.value


def test_a_layer_called_once_before_the_optimizer_is_trained_inside_a_torch_module():
    set_random_seed(1)
    x, y = regression(features=5, seed=1)
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    net = Net(layers.Dense(3))
    net(tx[:1])  # builds the lamina layer: its weights now exist
    kernel = net.dense.get_weights()[0].copy()
    optimizer = torch.optim.Adam(net.parameters(), lr=0.02)
    losses = []
    for _ in range(30):
        optimizer.zero_grad()
        loss = torch.mean((net(tx) - ty) ** 2)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
    assert not np.allclose(net.dense.get_weights()[0], kernel)


def test_parameters_of_an_unbuilt_layer_warn_and_appear_once_it_is_built():
    dense = layers.Dense(2, name="later")
    with pytest.warns(UserWarning, match="'later' is not built yet"):
        assert list(dense.parameters()) == []
    dense(torch.ones(1, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert [p.shape for p in dense.parameters()] == [(3, 2), (2,)]
        assert list(layers.Dropout(0.5).parameters()) == []  # builds no weights: no warning


def test_state_dict_loads_into_a_model_built_by_the_same_code():
    x, _ = regression()
    source, target = mlp(), mlp()
    source.layers[2].moving_mean.assign(np.full((8,), 0.5, "float32"))
    assert not np.allclose(source.predict(x, verbose=0), target.predict(x, verbose=0))
    result = target.load_state_dict(source.state_dict())
    assert not result.missing_keys and not result.unexpected_keys
    np.testing.assert_allclose(target.predict(x, verbose=0), source.predict(x, verbose=0),
                               rtol=1e-6)
    assert target.layers[1].kernel.value is next(target.parameters())  # copied in place


def test_load_state_dict_reports_missing_unexpected_and_misshapen_weights():
    model = mlp()
    state = model.state_dict()
    state["_graph_layers_0.extra"] = state.pop("_graph_layers_0.bias")
    with pytest.raises(RuntimeError, match=r"Missing key\(s\).*_graph_layers_0\.bias"
                                           r"(.|\n)*Unexpected key\(s\).*_graph_layers_0\.extra"):
        model.load_state_dict(state)
    state = model.state_dict()
    state["_graph_layers_2.kernel"] = torch.zeros(3, 1)
    with pytest.raises(RuntimeError, match=r"size mismatch for _graph_layers_2\.kernel"):
        model.load_state_dict(state)


def test_train_and_eval_set_the_mode_of_calls_that_pass_no_training_flag():
    model = Sequential([Input((200,)), layers.Dropout(0.5, seed=3)])
    x = torch.ones(4, 200)
    assert not model.training and torch.equal(model(x), x)  # inference until train()
    assert model.train() is model and model.training and model.layers[0].training
    dropped = model(x)
    assert (dropped == 0).any() and torch.allclose(dropped[dropped != 0], torch.tensor(2.0))
    assert torch.equal(model(x, training=False), x)
    assert np.array_equal(model.predict(x.numpy(), verbose=0), x.numpy())
    model.eval()
    assert not model.training and torch.equal(model(x), x)


def test_trainable_false_turns_parameters_into_buffers_under_the_same_names():
    model = mlp()
    keys = sorted(model.state_dict())
    model.layers[1].trainable = False
    assert [n for n, _ in model.named_parameters()] == [
        "_graph_layers_1.gamma", "_graph_layers_1.beta",
        "_graph_layers_2.kernel", "_graph_layers_2.bias"]
    assert sorted(model.state_dict()) == keys


def test_to_a_dtype_converts_the_variables_in_place_and_zero_grad_clears_gradients():
    model = mlp()
    kernel, moving_mean = model.layers[1].kernel, model.layers[2].moving_mean
    storages = kernel.value, moving_mean.value
    assert model.double() is model
    assert kernel.value is storages[0] and moving_mean.value is storages[1]  # converted in place
    assert [s.dtype for s in storages] == [torch.float64] * 2
    assert (kernel.dtype, moving_mean.dtype) == ("float64", "float64")
    model(torch.ones(2, 4, dtype=torch.float64)).sum().backward()
    assert kernel.value.grad is not None
    model.zero_grad()
    assert kernel.value.grad is None
    model.float()
    assert (kernel.dtype, moving_mean.dtype) == ("float32", "float32") and model.cpu() is model


def test_lamina_errors_and_unsupported_torch_registrations_name_the_layer():
    dense = layers.Dense(2, name="d")
    with pytest.raises(AttributeError, match="has not been called on a symbolic tensor"):
        dense.output  # noqa: B018  (the property's own message, not torch's)
    with pytest.raises(AttributeError, match="'Dense' object has no attribute 'nothing'"):
        dense.nothing  # noqa: B018
    with pytest.raises(TypeError, match="Dense layer 'd': register_parameter"):
        dense.register_parameter("w", torch.nn.Parameter(torch.ones(2)))
    with pytest.raises(TypeError, match="Dense layer 'd': register_buffer"):
        dense.register_buffer("b", torch.ones(2))


def test_add_module_stores_a_sub_layer_that_lamina_tracks():
    outer = layers.Layer(name="outer")
    inner = layers.Dense(2)
    inner(torch.ones(1, 3))
    outer.add_module("inner", inner)
    assert outer.inner is inner and list(outer.children()) == [inner]
    assert [w.value is p for w, p in zip(outer.weights, outer.parameters())] == [True, True]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_to_cuda_moves_the_weights_a_torch_loop_trains_and_cpu_brings_them_back():
    x, y = regression()
    model = mlp()
    storage = model.layers[1].kernel.value
    model.to("cuda")
    assert storage.device.type == "cuda" and model.layers[1].kernel.value is storage
    assert all(b.device.type == "cuda" for b in model.buffers())
    tx, ty = torch.from_numpy(x).cuda(), torch.from_numpy(y).cuda()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    model.train()
    for _ in range(5):
        optimizer.zero_grad()
        torch.mean((model(tx) - ty) ** 2).backward()
        optimizer.step()
    model.eval().cpu()
    assert all(p.device.type == "cpu" for p in model.state_dict().values())
    np.testing.assert_allclose(model.predict(x, verbose=0),
                               model(torch.from_numpy(x)).detach().numpy(), rtol=1e-5)
