"""Sessions: training on every dataset, the backward table against autograd, export/import, settings."""
import io
import json

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
from npgrad.playground import config as C
from npgrad.playground.session import Session, build_model
from npgrad.playground.trace import inspect


@pytest.mark.parametrize("dataset", ["circles", "xor", "moons", "gaussian", "plane", "bumps"])
def test_training_lowers_the_loss(dataset):
    s = Session({"dataset": dataset, "hidden": [8], "optimizer": "adam", "lr": 0.03,
                 "features": ["x1", "x2", "x1^2", "x2^2", "x1x2"]})
    before = s.losses()["train"]
    frame = s.train(15)
    assert frame["losses"]["train"] < 0.7 * before
    assert frame["history"]["epoch"][-1] == 15 and not frame["diverged"]


@pytest.mark.parametrize("activation", C.ACTIVATIONS)
def test_every_activation_builds_and_steps(activation):
    s = Session({"activation": activation, "hidden": [3, 3], "batchnorm": True, "dropout": 0.2,
                 "regularization": "l1", "reg_rate": 0.001, "schedule": "step", "init": "xavier"})
    frame = s.train(2)
    assert len(frame["neurons"]) == 2 and frame["epoch"] == 2
    zero = activation in C.ZERO_GRADIENT
    assert any("zero gradient" in w for w in s.warnings) == zero
    norms = frame["history"]["grad_norms"][-1]
    # through a step or sign no data gradient reaches layer 1: what is left is the L1 term's, rate * sign(W1)
    l1_only = 0.001 * np.sqrt(6)
    assert (norms[0] == pytest.approx(l1_only, rel=1e-4)) == zero


def test_model_layout_follows_the_settings():
    cfg, _ = C.normalize({"hidden": [5, 3], "batchnorm": True, "dropout": 0.1, "activation": "elu",
                          "features": ["x1", "x2", "sin_x1"]})
    kinds = [type(m).__name__ for m in build_model(cfg)]
    assert kinds == ["Linear", "BatchNorm1d", "ELU", "Dropout", "Linear", "BatchNorm1d", "ELU", "Dropout", "Linear"]
    assert build_model(cfg)[0].in_features == 3


def test_init_small_vanishes_and_normal_explodes():
    """The gradient-norm view's lesson, measured: tiny weights starve the first layer of gradient."""
    small = Session({"init": "small", "hidden": [8, 8, 8, 8], "activation": "sigmoid"}).train(1)
    normal = Session({"init": "normal", "hidden": [8, 8, 8, 8], "activation": "tanh"}).train(1)
    g_small, g_normal = small["history"]["grad_norms"][-1], normal["history"]["grad_norms"][-1]
    assert g_small[0] < 1e-3 * g_small[-1]
    assert g_normal[0] > 100 * g_small[0]


def test_inspect_matches_autograd_on_the_same_example():
    s = Session({"hidden": [4, 3], "activation": "relu", "features": ["x1", "x2", "x1x2"]})
    s.train(3)
    X, y = s.points["train"]
    r = inspect(s, X[7].tolist(), float(y[7]))
    rows = {row["name"]: row for row in r["rows"]}
    s.model.zero_grad()
    out = s.model(s.inputs["train"][0][7:8]).squeeze(1)
    loss = nn.functional.binary_cross_entropy_with_logits(out, s.inputs["train"][1][7:8])
    loss.backward()
    assert r["loss"] == pytest.approx(loss.item(), rel=1e-5)
    for i, m in enumerate([m for m in s.model if isinstance(m, nn.Linear)], 1):
        np.testing.assert_allclose(rows[f"W{i}"]["grad"]["data"], m.weight.grad.numpy(), atol=1e-5)
        np.testing.assert_allclose(rows[f"b{i}"]["grad"]["data"], m.bias.grad.numpy(), atol=1e-5)
    assert len(r["neurons"]) == 3 and len(r["neurons"][1]["value"]) == 3


def test_export_roundtrip_restores_the_network():
    a = Session({"dataset": "moons", "hidden": [6, 2], "activation": "relu"})
    a.train(5)
    blob = a.export()
    obj = npgrad.load(io.BytesIO(blob))
    assert json.loads(obj["config"])["dataset"] == "moons"
    b = Session()
    b.load_model(blob)
    assert b.config["hidden"] == [6, 2]
    assert b.losses()["test"] == pytest.approx(a.losses()["test"], rel=1e-6)
    with pytest.raises(ValueError, match="not a playground export"):
        buf = io.BytesIO()
        npgrad.save({"w": npgrad.ones(2)}, buf)
        b.load_model(buf.getvalue())


def test_config_caps_and_errors():
    cfg, w = C.normalize({"hidden": [2] * 9, "noise": 7, "dropout": 0.99})
    assert len(cfg["hidden"]) == 6 and cfg["noise"] == 1 and cfg["dropout"] == 0.9 and len(w) == 3
    with pytest.raises(C.ConfigError, match="batchnorm must be true or false"):
        C.normalize({"batchnorm": "yes"})
    with pytest.raises(C.ConfigError, match="seed must be a whole number"):
        C.normalize({"seed": 1.5})
    with pytest.raises(C.ConfigError, match="every layer needs at least one neuron"):
        C.normalize({"hidden": [3, 0]})
    assert C.normalize({"hidden": [], "batchnorm": True, "batch_size": 1})[0]["batch_size"] == 2


def test_vanishing_gradients_are_sent_with_their_digits_not_rounded_to_zero():
    from npgrad.playground.trace import _cell
    cell = _cell(np.array([3.6e-7, -2.5e-9, 0.139269128, 123.456789]))
    assert cell["data"] == [3.6e-07, -2.5e-09, 0.139269, 123.457]
