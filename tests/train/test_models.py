import numpy as np
import pytest

import npgrad
from npgrad.train import build_model, describe, model_spec
from npgrad.train.models import default_hidden


def _n_params(model):
    return sum(p.numel() for p in model.parameters())


def test_mlp_for_28x28_is_784_256_128_10():
    model = build_model(model_spec("mlp", (1, 28, 28), 10))
    shapes = [tuple(p.shape) for p in model.parameters()]
    assert shapes == [(256, 784), (256,), (128, 256), (128,), (10, 128), (10,)]
    assert model(npgrad.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert describe(model_spec("mlp", (1, 28, 28), 10)) == "mlp 784-256-128-10"


def test_mlp_hidden_sizes_are_configurable_and_small_for_points():
    model = build_model(model_spec("mlp", [2], 3, hidden=[8]))
    assert [tuple(p.shape) for p in model.parameters()] == [(8, 2), (8,), (3, 8), (3,)]
    assert default_hidden([2]) == [32, 32]
    with pytest.raises(ValueError, match="hidden"):
        model_spec("mlp", [2], 3, hidden=[0])


@pytest.mark.parametrize("size,features", [(28, 3136), (8, 256)])
def test_cnn_layout_and_output(size, features):
    model = build_model(model_spec("cnn", (1, size, size), 10))
    kinds = [type(m).__name__ for m in model]
    assert kinds == ["Conv2d", "ReLU", "MaxPool2d", "Conv2d", "ReLU", "MaxPool2d", "Flatten", "Linear", "ReLU",
                     "Linear"]
    assert tuple(model[0].weight.shape) == (32, 1, 3, 3) and tuple(model[3].weight.shape) == (64, 32, 3, 3)
    assert model[7].in_features == features and model[7].out_features == 128
    assert model(npgrad.randn(2, 1, size, size)).shape == (2, 10)


def test_linear_is_softmax_regression():
    model = build_model(model_spec("linear", (1, 8, 8), 10))
    assert _n_params(model) == 64 * 10 + 10


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="unknown model 'rnn'"):
        model_spec("rnn", (1, 8, 8), 10)
    with pytest.raises(ValueError, match="cnn needs images"):
        model_spec("cnn", [2], 2)
    with pytest.raises(ValueError, match="num_classes"):
        model_spec("mlp", [2], 1)


def test_spec_is_plain_data_that_rebuilds_the_same_shapes():
    spec = model_spec("cnn", (1, 8, 8), 10)
    import json
    again = json.loads(json.dumps(spec))
    a, b = build_model(spec), build_model(again)
    assert [tuple(p.shape) for p in a.parameters()] == [tuple(p.shape) for p in b.parameters()]


@pytest.mark.parametrize("name", ["mlp", "cnn", "linear"])
def test_state_dict_loads_into_the_same_torch_network(torch, name):
    """Same key names and layouts as PyTorch's equivalent nn.Sequential, and the same outputs."""
    tnn = torch.nn
    spec = model_spec(name, (1, 8, 8), 10)
    model = build_model(spec)
    if name == "mlp":
        ref = tnn.Sequential(tnn.Flatten(), tnn.Linear(64, 256), tnn.ReLU(), tnn.Linear(256, 128), tnn.ReLU(),
                             tnn.Linear(128, 10))
    elif name == "cnn":
        ref = tnn.Sequential(tnn.Conv2d(1, 32, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2),
                             tnn.Conv2d(32, 64, 3, padding=1), tnn.ReLU(), tnn.MaxPool2d(2), tnn.Flatten(),
                             tnn.Linear(256, 128), tnn.ReLU(), tnn.Linear(128, 10))
    else:
        ref = tnn.Sequential(tnn.Flatten(), tnn.Linear(64, 10))
    ref.load_state_dict({k: torch.from_numpy(np.array(v._data)) for k, v in model.state_dict().items()})
    x = np.random.default_rng(0).normal(size=(4, 1, 8, 8)).astype(np.float32)
    got = model(npgrad.from_numpy(x))._data
    with torch.no_grad():
        want = ref(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
