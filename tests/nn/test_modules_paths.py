"""``npgrad.nn.modules.*``: the import paths PyTorch programs use reach npgrad's own classes."""
import doctest
import importlib

import pytest

import npgrad

PATHS = {
    "module": ["Module"], "loss": ["_Loss", "_WeightedLoss", "MSELoss", "CrossEntropyLoss", "NLLLoss"],
    "conv": ["Conv1d", "Conv2d", "ConvTranspose2d", "_ConvNd"], "linear": ["Linear", "Identity", "Bilinear"],
    "activation": ["ReLU", "GELU", "Softmax", "PReLU"], "batchnorm": ["BatchNorm1d", "BatchNorm2d", "_BatchNorm"],
    "pooling": ["MaxPool2d", "AvgPool2d", "AdaptiveAvgPool2d"], "dropout": ["Dropout", "Dropout2d", "_DropoutNd"],
    "container": ["Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"],
    "rnn": ["RNNBase", "LSTM", "GRU", "RNN", "LSTMCell"], "sparse": ["Embedding"],
    "normalization": ["LayerNorm", "GroupNorm"], "flatten": ["Flatten", "Unflatten"],
}


@pytest.mark.parametrize("sub", list(PATHS))
def test_torch_nn_modules_paths_exist_as_in_torch(torch, sub):
    ours = importlib.import_module(f"npgrad.nn.modules.{sub}")
    theirs = importlib.import_module(f"torch.nn.modules.{sub}")
    for name in PATHS[sub]:
        assert hasattr(theirs, name), name  # the path is PyTorch's
        obj = getattr(ours, name)
        public = getattr(npgrad.nn, name, None)
        assert public is None or obj is public
        assert issubclass(obj, npgrad.nn.Module) or name == "Module"


def test_package_level_names_and_loss_subclassing():
    from npgrad.nn.modules import Linear, ReLU, Sequential
    from npgrad.nn.modules.loss import _Loss

    class Halved(_Loss):
        def forward(self, input, target):
            return ((input - target) ** 2).mean() / 2
    assert Halved()(npgrad.ones(2), npgrad.zeros(2)).item() == 0.5
    assert Sequential(Linear(2, 2), ReLU())(npgrad.ones(1, 2)).shape == (1, 2)


@pytest.mark.parametrize("value", [3, (1, 2), [4, 5, 6]])
def test_utils_ntuple_helpers_match_torch(torch, value):
    from npgrad.nn.modules import utils as ours
    from torch.nn.modules import utils as theirs
    for name in ("_single", "_pair", "_triple", "_quadruple"):
        assert getattr(ours, name)(value) == getattr(theirs, name)(value)
    assert ours._reverse_repeat_tuple((1, 2, 3), 2) == theirs._reverse_repeat_tuple((1, 2, 3), 2)


@pytest.mark.parametrize("name", ["npgrad.nn.modules", "npgrad.nn.modules.utils"])
def test_docstring_examples(name):
    assert doctest.testmod(importlib.import_module(name)).failed == 0


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_flatten_parameters_is_accepted(cls):
    m = getattr(npgrad.nn, cls)(3, 4)
    before = [p.detach().numpy().copy() for p in m.parameters()]
    assert m.flatten_parameters() is None
    assert all((a == p.detach().numpy()).all() for a, p in zip(before, m.parameters()))
    assert m(npgrad.randn(5, 2, 3))[0].shape == (5, 2, 4)
