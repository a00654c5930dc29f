"""Training on the stand-in device: a few steps of an MLP and of a BatchNorm + Dropout model give the
CPU's losses and weights (float64, from the same seed and weights), with the model moved by
``model.to("cuda")`` before the optimizer is made; a checkpoint round trip through ``save``/``load``
with ``map_location`` lands back on the device; the DataLoader feeds it with ``pin_memory=True``."""
import io

import numpy as np
import pytest

import npgrad
from npgrad import nn, optim
from npgrad.utils.data import DataLoader, TensorDataset

from .conftest import assert_on, on_host


def _mlp():
    return nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10))


def _bn_model(p_drop):
    return nn.Sequential(nn.Linear(20, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(p_drop), nn.Linear(32, 5))


def _data(n, d, classes, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)), rng.integers(0, classes, n)


OPTS = {"sgd_momentum": lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9),
        "adam": lambda ps: optim.Adam(ps, lr=1e-3)}


def _train(build, dev, make_opt, x, y, steps=4, batch=16, seed=0):
    npgrad.manual_seed(seed)
    model = build().double()
    model.to(dev)  # moved before the optimizer is made, as PyTorch programs do
    opt = make_opt(model.parameters())
    losses = []
    for i in range(steps):
        xb = npgrad.tensor(x[i * batch:(i + 1) * batch]).to(dev)
        yb = npgrad.tensor(y[i * batch:(i + 1) * batch]).to(dev)
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        losses.append(loss)
    return model, opt, losses


def _assert_same_run(cpu, dev_run, cuda, rtol=1e-11, atol=1e-13):
    (cm, co, cl), (dm, do, dl) = cpu, dev_run
    for a, b in zip(cl, dl):
        assert_on(b, cuda)
        np.testing.assert_allclose(float(b), float(a), rtol=rtol)
    for (name, a), (_, b) in zip(cm.state_dict().items(), dm.state_dict().items()):
        assert_on(b, cuda)
        np.testing.assert_allclose(on_host(b), on_host(a), rtol=rtol, atol=atol, err_msg=name)
    for st_c, st_d in zip(co.state.values(), do.state.values()):
        for k, v in st_d.items():
            if isinstance(v, npgrad.Tensor) and k != "step":
                assert_on(v, cuda)
                np.testing.assert_allclose(on_host(v), on_host(st_c[k]), rtol=rtol, atol=atol)


@pytest.mark.parametrize("opt", list(OPTS))
def test_mlp_trains_on_device_like_cpu(opt, cuda):
    x, y = _data(64, 784, 10)
    cpu = _train(_mlp, "cpu", OPTS[opt], x, y)
    dev = _train(_mlp, cuda, OPTS[opt], x, y)
    _assert_same_run(cpu, dev, cuda)


@pytest.mark.parametrize("opt", list(OPTS))
def test_batchnorm_model_trains_on_device_like_cpu(opt, cuda):
    x, y = _data(64, 20, 5, seed=1)
    cpu = _train(lambda: _bn_model(0.0), "cpu", OPTS[opt], x, y)
    dev = _train(lambda: _bn_model(0.0), cuda, OPTS[opt], x, y)
    # the CPU's batch norm sums in another order (its one-pass statistics over the conv layout), so
    # the two runs agree to rounding, not bit for bit; Adam's step (g / sqrt(v)) magnifies that a little
    _assert_same_run(cpu, dev, cuda, rtol=1e-9, atol=1e-11)
    bn = dev[0][1]
    assert int(bn.num_batches_tracked) == 4
    assert_on(bn.running_mean, cuda) and assert_on(bn.running_var, cuda)
    dev[0].eval()
    cpu[0].eval()
    xe = npgrad.tensor(x[:8])
    np.testing.assert_allclose(on_host(dev[0](xe.to(cuda))), on_host(cpu[0](xe)), rtol=1e-9, atol=1e-11)


def test_dropout_path_on_device(cuda):
    """With dropout on, masks come from the device's generator: the model trains on the device,
    the mask keeps about 1 - p of the units, and eval mode is deterministic."""
    x, y = _data(64, 20, 5, seed=2)
    model, _, losses = _train(lambda: _bn_model(0.5), cuda, OPTS["adam"], x, y, steps=4)
    assert all(np.isfinite(float(l)) for l in losses)
    for p in model.parameters():
        assert_on(p, cuda)
    h = npgrad.ones(200, 32, device=cuda, dtype=npgrad.float64)
    kept = on_host(model[3](h)) != 0
    assert abs(kept.mean() - 0.5) < 0.05
    model.eval()
    xe = npgrad.tensor(x[:8]).to(cuda)
    np.testing.assert_array_equal(on_host(model(xe)), on_host(model(xe)))


@pytest.mark.parametrize("where", ["cuda", "cuda:0", "device", {"cpu": "cuda:0"}, "callable", None])
def test_checkpoint_round_trip_onto_the_device(where, cuda):
    x, y = _data(32, 20, 5, seed=3)
    model, opt, _ = _train(lambda: _bn_model(0.0), cuda, OPTS["adam"], x, y, steps=2)
    buf = io.BytesIO()
    npgrad.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 2}, buf)
    ml = {"device": cuda, "callable": lambda storage, loc: storage.to("cuda")}.get(where, where) \
        if not isinstance(where, dict) else where
    ck = npgrad.load(io.BytesIO(buf.getvalue()), map_location=ml)  # None: back where each tensor was saved from
    assert ck["epoch"] == 2
    for k, v in ck["model"].items():
        assert_on(v, cuda)
        np.testing.assert_array_equal(on_host(v), on_host(model.state_dict()[k]))
    fresh = _bn_model(0.0).double().to(cuda)
    fresh.load_state_dict(ck["model"])
    opt2 = optim.Adam(fresh.parameters(), lr=1e-3)
    opt2.load_state_dict(ck["opt"])
    for st in opt2.state.values():
        for k, v in st.items():
            if k != "step":
                assert_on(v, cuda)
    # both continue identically
    xb, yb = npgrad.tensor(x[:16]).to(cuda), npgrad.tensor(y[:16]).to(cuda)
    for m, o in ((model, opt), (fresh, opt2)):
        o.zero_grad()
        nn.functional.cross_entropy(m(xb), yb).backward()
        o.step()
    for a, b in zip(model.parameters(), fresh.parameters()):
        np.testing.assert_array_equal(on_host(a), on_host(b))


def test_device_checkpoint_maps_to_the_cpu(cuda):
    model = _bn_model(0.0).to(cuda)
    buf = io.BytesIO()
    npgrad.save(model.state_dict(), buf)
    for where in ("cpu", npgrad.device("cpu"), {"cuda:0": "cpu"}, lambda storage, loc: storage):
        sd = npgrad.load(io.BytesIO(buf.getvalue()), map_location=where)
        for k, v in sd.items():
            assert v.device.type == "cpu", (where, k)
            np.testing.assert_array_equal(on_host(v), on_host(model.state_dict()[k]))
    cpu_model = _bn_model(0.0)
    cpu_model.load_state_dict(npgrad.load(io.BytesIO(buf.getvalue()), map_location="cpu"))


def test_device_checkpoint_without_cuda_raises_as_torch(cuda, tmp_path):
    from npgrad import _backend
    buf = io.BytesIO()
    npgrad.save({"w": npgrad.ones(2, device=cuda)}, buf)
    _backend.unregister("cuda")
    with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA device"):
        npgrad.load(io.BytesIO(buf.getvalue()))
    assert npgrad.load(io.BytesIO(buf.getvalue()), map_location="cpu")["w"].tolist() == [1.0, 1.0]


def test_save_file_of_a_device_state_dict_is_plain_safetensors(cuda, tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    model = nn.Linear(3, 2, device=cuda)
    path = tmp_path / "m.safetensors"
    npgrad.save(model.state_dict(), path)
    raw = st.load_file(str(path))  # host copies, as any safetensors reader sees them
    np.testing.assert_array_equal(raw["weight"], on_host(model.weight))


@pytest.mark.parametrize("shuffle", [False, True])
def test_dataloader_pin_memory_feeds_the_device(shuffle, cuda, recwarn):
    x, y = _data(40, 6, 3)
    ds = TensorDataset(npgrad.tensor(x), npgrad.tensor(y))
    loader = DataLoader(ds, batch_size=16, shuffle=shuffle, pin_memory=True)
    seen = 0
    for xb, yb in loader:
        assert isinstance(xb, npgrad.Tensor) and xb.device.type == "cpu"
        assert xb.is_pinned() and yb.is_pinned()
        xd, yd = xb.to(cuda, non_blocking=True), yb.to("cuda", non_blocking=True)
        assert_on(xd, cuda) and assert_on(yd, cuda)
        seen += xd.shape[0]
    assert seen == 40
    assert not [w for w in recwarn if "pin_memory" in str(w.message)]


def test_dataloader_over_device_tensors(cuda):
    x, y = _data(40, 6, 3)
    ds = TensorDataset(npgrad.tensor(x, device=cuda), npgrad.tensor(y, device=cuda))
    npgrad.manual_seed(0)
    batches = list(DataLoader(ds, batch_size=16, shuffle=True))
    assert [b[0].shape[0] for b in batches] == [16, 16, 8]
    for xb, yb in batches:
        assert_on(xb, cuda) and assert_on(yb, cuda)
    got = np.concatenate([on_host(xb) for xb, _ in batches])
    assert sorted(map(tuple, got)) == sorted(map(tuple, x))


def test_device_checkpoint_loads_into_a_cpu_model(cuda):
    """``load`` restores the tensors to the device; ``load_state_dict`` copies them onto the CPU
    model's own arrays (PyTorch's copy_ across devices), and ``assign=True`` takes them as they are."""
    model = _bn_model(0.0).to(cuda)
    buf = io.BytesIO()
    npgrad.save(model.state_dict(), buf)
    sd = npgrad.load(io.BytesIO(buf.getvalue()))
    assert_on(sd["0.weight"], cuda)
    cpu_model = _bn_model(0.0)
    cpu_model.load_state_dict(sd)
    for k, v in cpu_model.state_dict().items():
        assert v.device.type == "cpu"
        np.testing.assert_array_equal(on_host(v), on_host(sd[k]))
    assigned = _bn_model(0.0)
    assigned.load_state_dict(sd, assign=True)
    assert_on(assigned[0].weight, cuda)


def test_plain_safetensors_file_maps_onto_the_device(cuda, tmp_path):
    st = pytest.importorskip("safetensors.numpy")
    path = tmp_path / "plain.safetensors"
    st.save_file({"weight": np.ones((2, 3), np.float32), "bias": np.zeros(2, np.float32)}, str(path))
    sd = npgrad.load(path, map_location="cuda")
    for v in sd.values():
        assert_on(v, cuda)
    assert npgrad.load(path)["weight"].device.type == "cpu"  # no location recorded: the CPU
    m = nn.Linear(3, 2, device=cuda)
    m.load_state_dict(sd)
    assert on_host(m.weight).tolist() == [[1.0] * 3] * 2
