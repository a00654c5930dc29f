"""The model zoo of the ``npgrad`` command: MLP, CNN and linear (softmax regression) classifiers.

Every model is an ``nn.Sequential`` built from an *architecture spec*, a small dict of plain values
(``{"model": "mlp", "input_shape": [1, 8, 8], "num_classes": 10, "hidden": [256, 128]}``).
The spec is stored in each checkpoint's metadata, so ``npgrad evaluate``/``predict`` rebuild
exactly the network whose weights they load.
"""
from __future__ import annotations

import math

from .. import nn

__all__ = ["MODELS", "build_model", "model_spec", "default_hidden", "describe"]

MODELS = ("mlp", "cnn", "linear")


def default_hidden(input_shape):
    """Hidden sizes of the MLP: 256-128 for images, 32-32 for 2-D toy points.

    >>> default_hidden([1, 28, 28]), default_hidden([2])
    ([256, 128], [32, 32])
    """
    return [256, 128] if math.prod(input_shape) > 16 else [32, 32]


def model_spec(model, input_shape, num_classes, hidden=None):
    """The architecture spec of ``model`` for inputs of ``input_shape`` (without the batch axis).

    >>> model_spec("mlp", (1, 8, 8), 10)
    {'model': 'mlp', 'input_shape': [1, 8, 8], 'num_classes': 10, 'hidden': [256, 128]}
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    input_shape = [int(s) for s in input_shape]
    if int(num_classes) < 2:
        raise ValueError(f"num_classes must be at least 2, got {num_classes}")
    spec = {"model": model, "input_shape": input_shape, "num_classes": int(num_classes)}
    if model == "mlp":
        hidden = default_hidden(input_shape) if hidden is None else [int(h) for h in hidden]
        if not hidden or min(hidden) < 1:
            raise ValueError(f"mlp: hidden sizes must be positive integers, got {hidden}")
        spec["hidden"] = hidden
    if model == "cnn" and (len(input_shape) != 3 or min(input_shape[1:]) < 4):
        raise ValueError(f"cnn needs images of shape (channels, height, width) of at least 4x4, "
                         f"got input shape {tuple(input_shape)}")
    return spec


def build_model(spec):
    """An ``nn.Sequential`` for the architecture ``spec`` (see :func:`model_spec`).

    >>> net = build_model(model_spec("cnn", (1, 28, 28), 10))
    >>> net[7]
    Linear(in_features=3136, out_features=128, bias=True)
    """
    builders = {"mlp": _mlp, "cnn": _cnn, "linear": _linear}
    if spec.get("model") not in builders:
        raise ValueError(f"unknown model {spec.get('model')!r}; choose one of {', '.join(MODELS)}")
    return builders[spec["model"]](spec)


def _mlp(spec):
    """Flatten, then Linear-ReLU for each hidden size, then a Linear to the class scores."""
    layers, width = [nn.Flatten()], math.prod(spec["input_shape"])
    for h in spec["hidden"]:
        layers += [nn.Linear(width, h), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, spec["num_classes"]))
    return nn.Sequential(*layers)


def _cnn(spec):
    """Two 3x3 conv (32 and 64 channels, padding 1) + ReLU + 2x2 max-pool blocks, then 128 hidden units.

    Each pool halves the image (rounding down): 28x28 -> 14 -> 7 gives 64*7*7 = 3136 features,
    8x8 digits -> 4 -> 2 give 64*2*2 = 256.
    """
    channels, height, width = spec["input_shape"]
    features = 64 * (height // 2 // 2) * (width // 2 // 2)
    return nn.Sequential(
        nn.Conv2d(channels, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(features, 128), nn.ReLU(), nn.Linear(128, spec["num_classes"]))


def _linear(spec):
    """Softmax (multinomial logistic) regression: one Linear layer; the loss applies the softmax."""
    return nn.Sequential(nn.Flatten(), nn.Linear(math.prod(spec["input_shape"]), spec["num_classes"]))


def describe(spec):
    """A one-line summary, e.g. ``mlp 64-256-128-10``.

    >>> describe(model_spec("mlp", (1, 8, 8), 10))
    'mlp 64-256-128-10'
    """
    n_in, n_out = math.prod(spec["input_shape"]), spec["num_classes"]
    if spec["model"] == "mlp":
        return "mlp " + "-".join(str(s) for s in [n_in, *spec["hidden"], n_out])
    if spec["model"] == "cnn":
        c, h, w = spec["input_shape"]
        return f"cnn {c}x{h}x{w} conv32-pool-conv64-pool-128-{n_out}"
    return f"linear {n_in}-{n_out}"
