import copy
import io
import os
import pickle
import sys

import numpy as np
import pytest

import npgrad
from npgrad import nn


def _files(folder):
    return sorted(os.listdir(folder))


# -- round trips ------------------------------------------------------------------------------
def test_flat_state_dict_round_trip_keeps_values_dtypes_and_order(tmp_path):
    sd = {"b.weight": npgrad.randn(3, 2), "a.bias": npgrad.randn(3, dtype=npgrad.float64),
          "count": npgrad.tensor(7), "mask": npgrad.tensor([True, False]),
          "pix": npgrad.tensor(np.arange(4, dtype=np.uint8)), "scalar": npgrad.tensor(2.5),
          "t": npgrad.randn(4, 3).t()}  # non-contiguous
    path = tmp_path / "sd.safetensors"
    npgrad.save(sd, path)
    back = npgrad.load(path)
    assert list(back) == list(sd)
    for k in sd:
        assert isinstance(back[k], npgrad.Tensor) and back[k].dtype == sd[k].dtype
        assert back[k].shape == sd[k].shape
        np.testing.assert_array_equal(back[k]._data, sd[k]._data)
        assert back[k]._data.flags.writeable
    assert _files(tmp_path) == ["sd.safetensors"]


def test_plain_values_round_trip():
    obj = {"epoch": 3, "lr": 0.1, "best": float("inf"), "name": "mlp", "flag": True, "none": None,
           "betas": (0.9, 0.999), "hist": [1.5, 2.5, [3, "x"]], "ids": {0: "a", 5: "b"},
           "arr": np.arange(6).reshape(2, 3), "one": npgrad.ones(2), "nested": {"__tensor__": 1},
           "npscalar": np.float32(1.5), "t": npgrad.zeros(1)}
    buf = io.BytesIO()
    npgrad.save(obj, buf)
    back = npgrad.load(io.BytesIO(buf.getvalue()))
    assert back["betas"] == (0.9, 0.999) and back["ids"] == {0: "a", 5: "b"}
    assert back["nested"] == {"__tensor__": 1} and back["best"] == float("inf") and back["none"] is None
    assert isinstance(back["arr"], np.ndarray) and back["arr"].tolist() == [[0, 1, 2], [3, 4, 5]]
    assert back["npscalar"] == 1.5 and back["hist"] == [1.5, 2.5, [3, "x"]]
    assert back["one"].tolist() == [1.0, 1.0]


def test_single_tensor_round_trip(tmp_path):
    x = npgrad.randn(2, 3)
    npgrad.save(x, tmp_path / "x.safetensors")
    np.testing.assert_array_equal(npgrad.load(str(tmp_path / "x.safetensors"))._data, x._data)


def test_colliding_tensor_paths_stay_distinct(tmp_path):
    obj = {"a/b": npgrad.ones(1), "a": {"b": npgrad.zeros(1)}}
    npgrad.save(obj, tmp_path / "c.safetensors")
    back = npgrad.load(tmp_path / "c.safetensors")
    assert back["a/b"].tolist() == [1.0] and back["a"]["b"].tolist() == [0.0]


def test_unsupported_values_are_rejected_naming_the_key(tmp_path):
    with pytest.raises(TypeError, match="cannot store a builtins.function at 'cfg/act'"):
        npgrad.save({"cfg": {"act": lambda x: x}}, tmp_path / "bad.safetensors")
    with pytest.raises(TypeError, match="dict key"):
        npgrad.save({(1, 2): 3}, tmp_path / "bad.safetensors")
    assert _files(tmp_path) == []


# -- model + optimizer checkpoints ------------------------------------------------------------
def _mlp():
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))


def _train(model, opt, steps, seed):
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        x = npgrad.tensor(rng.standard_normal((5, 4)).astype(np.float32))
        opt.zero_grad()
        (model(x) ** 2).mean().backward()
        opt.step()


@pytest.mark.parametrize("make_opt", [
    lambda p: npgrad.optim.Adam(p, lr=0.01, amsgrad=True),
    lambda p: npgrad.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    lambda p: npgrad.optim.RMSprop(p, lr=0.01, centered=True, momentum=0.5),
    lambda p: npgrad.optim.Adagrad(p, lr=0.05),
    lambda p: npgrad.optim.AdamW(p, lr=0.01),
])
def test_checkpoint_resume_continues_identically(tmp_path, make_opt):
    npgrad.manual_seed(0)
    ref = _mlp()
    start = copy.deepcopy(ref.state_dict())
    ref_opt = make_opt(ref.parameters())
    _train(ref, ref_opt, 3, seed=1)
    _train(ref, ref_opt, 4, seed=2)

    model = _mlp()
    model.load_state_dict(start)
    opt = make_opt(model.parameters())
    _train(model, opt, 3, seed=1)
    path = tmp_path / "ckpt.safetensors"
    npgrad.save({"model": model.state_dict(), "optimizer": opt.state_dict(), "epoch": 3}, path)

    ckpt = npgrad.load(path)
    assert ckpt["epoch"] == 3
    model2 = _mlp()
    model2.load_state_dict(ckpt["model"])
    opt2 = make_opt(model2.parameters())
    opt2.load_state_dict(ckpt["optimizer"])
    for st in opt2.state.values():
        for k, v in st.items():
            assert v.dtype == npgrad.float32, k
    _train(model2, opt2, 4, seed=2)
    for a, b in zip(ref.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a._data, b._data)


def test_optimizer_state_dict_is_torch_shaped(torch):
    model, tmodel = _mlp(), torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))
    opt, topt = npgrad.optim.Adam(model.parameters()), torch.optim.Adam(tmodel.parameters())
    _train(model, opt, 1, seed=0)
    tmodel(torch.randn(5, 4)).pow(2).mean().backward()
    topt.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert list(sd["state"]) == list(tsd["state"]) == [0, 1, 2, 3]
    assert [sorted(v) for v in sd["state"].values()] == [sorted(v) for v in tsd["state"].values()]
    assert sd["param_groups"] == tsd["param_groups"]


def test_scheduler_state_round_trips_through_a_checkpoint(tmp_path):
    def make():
        o = npgrad.optim.SGD([npgrad.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        L = npgrad.optim.lr_scheduler
        seq = L.SequentialLR(o, [L.LinearLR(o, 0.5, total_iters=2), L.MultiStepLR(o, [2, 4], 0.5)], [2])
        return o, [seq, L.ReduceLROnPlateau(o, patience=0)]
    o, (ms, rp) = make()
    for _ in range(3):
        o.step(); ms.step(); rp.step(1.0)
    npgrad.save({"opt": o.state_dict(), "ms": ms.state_dict(), "rp": rp.state_dict()}, tmp_path / "s.safetensors")
    ck = npgrad.load(tmp_path / "s.safetensors")
    o2, (ms2, rp2) = make()
    o2.load_state_dict(ck["opt"]); ms2.load_state_dict(ck["ms"]); rp2.load_state_dict(ck["rp"])
    for _ in range(5):
        o.step(); ms.step(); rp.step(1.0)
        o2.step(); ms2.step(); rp2.step(1.0)
        assert o.param_groups[0]["lr"] == o2.param_groups[0]["lr"]
    assert rp2.best == 1.0


def test_load_into_model_with_wrong_shape_names_key_and_shapes(tmp_path):
    npgrad.save(nn.Linear(4, 3).state_dict(), tmp_path / "lin.safetensors")
    with pytest.raises(RuntimeError) as e:
        nn.Linear(5, 3).load_state_dict(npgrad.load(tmp_path / "lin.safetensors"))
    msg = str(e.value)
    assert "weight" in msg and "[3, 4]" in msg and "[3, 5]" in msg


# -- PyTorch interop --------------------------------------------------------------------------
def _cnn_pair(torch):
    ours = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(4 * 6 * 6, 10))
    theirs = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.ReLU(), torch.nn.Flatten(),
                                 torch.nn.Linear(4 * 6 * 6, 10))
    return ours, theirs


def test_npgrad_checkpoint_loads_into_torch_model(torch, tmp_path):
    from safetensors.torch import load_file
    ours, theirs = _cnn_pair(torch)
    path = tmp_path / "m.safetensors"
    npgrad.save(ours.state_dict(), path)
    theirs.load_state_dict(load_file(str(path)), strict=True)
    x = np.random.default_rng(0).standard_normal((2, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        t_out = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(npgrad.tensor(x))._data, t_out, rtol=1e-5, atol=1e-6)


def test_torch_checkpoint_loads_into_npgrad_model(torch, tmp_path):
    from safetensors.torch import save_file
    ours, theirs = _cnn_pair(torch)
    path = tmp_path / "t.safetensors"
    save_file(theirs.state_dict(), str(path))
    ours.load_state_dict(npgrad.load(path), strict=True)
    x = np.random.default_rng(1).standard_normal((2, 1, 8, 8)).astype(np.float32)
    with torch.no_grad():
        t_out = theirs(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(ours(npgrad.tensor(x))._data, t_out, rtol=1e-5, atol=1e-6)


# -- atomic writes ----------------------------------------------------------------------------
@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_write_leaves_old_file_and_no_temp_files(tmp_path, monkeypatch, failing):
    path = tmp_path / "ckpt.safetensors"
    npgrad.save({"w": npgrad.ones(3)}, path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")
    monkeypatch.setattr(os, failing, boom)
    with pytest.raises(OSError, match="disk full"):
        npgrad.save({"w": npgrad.zeros(3)}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert _files(tmp_path) == ["ckpt.safetensors"]
    assert npgrad.load(path)["w"].tolist() == [1.0, 1.0, 1.0]


def test_overwrite_replaces_and_keeps_permissions(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    npgrad.save({"w": npgrad.ones(1)}, path)
    mask = os.umask(0); os.umask(mask)
    assert (path.stat().st_mode & 0o777) == 0o666 & ~mask
    os.chmod(path, 0o640)
    npgrad.save({"w": npgrad.zeros(1)}, path)
    assert (path.stat().st_mode & 0o777) == 0o640
    assert npgrad.load(path)["w"].tolist() == [0.0]


def test_save_into_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        npgrad.save({"w": npgrad.ones(1)}, tmp_path / "nope" / "c.safetensors")


# -- bad files --------------------------------------------------------------------------------
def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "missing.safetensors"
    with pytest.raises(FileNotFoundError) as e:
        npgrad.load(path)
    assert str(path) in str(e.value)


def _good_bytes():
    buf = io.BytesIO()
    npgrad.save({"model": {"w": npgrad.randn(20, 10)}, "epoch": 1}, buf)
    return buf.getvalue()


@pytest.mark.parametrize("cut", [0, 5, 8, 40, -1, -100])
def test_truncated_file_names_the_path(tmp_path, cut):
    data = _good_bytes()
    path = tmp_path / "trunc.safetensors"
    path.write_bytes(data[:cut] if cut >= 0 else data[:len(data) + cut])
    with pytest.raises(RuntimeError, match="trunc.safetensors.*truncated or corrupt"):
        npgrad.load(path)


def test_corrupted_tensor_bytes_fail_the_checksum(tmp_path):
    data = bytearray(_good_bytes())
    data[-17] ^= 0xFF
    path = tmp_path / "flip.safetensors"
    path.write_bytes(bytes(data))
    with pytest.raises(RuntimeError, match="flip.safetensors.*'model/w' do not match their checksum"):
        npgrad.load(path)


def test_garbage_header_names_the_path(tmp_path):
    path = tmp_path / "junk.safetensors"
    path.write_bytes((20).to_bytes(8, "little") + b"{not json at all!!!}")
    with pytest.raises(RuntimeError, match="junk.safetensors"):
        npgrad.load(path)


class _Exploit:
    def __reduce__(self):
        return (open, (os.environ["NPGRAD_EXPLOIT_MARKER"], "w"))


def test_loading_a_pickle_never_runs_it(tmp_path, monkeypatch):
    marker = tmp_path / "pwned"
    monkeypatch.setenv("NPGRAD_EXPLOIT_MARKER", str(marker))
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps(_Exploit()))
    with pytest.raises(RuntimeError, match="evil.pt"):
        npgrad.load(path, weights_only=False)
    assert not marker.exists()


def test_missing_safetensors_package_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    with pytest.raises(ImportError, match="pip install safetensors"):
        npgrad.save({"w": npgrad.ones(1)}, io.BytesIO())


@pytest.mark.parametrize("where", ["cpu", npgrad.device("cpu"), {"cpu": "cpu"}, lambda storage, loc: storage, None])
def test_map_location_to_the_cpu(where):
    buf = io.BytesIO()
    npgrad.save({"w": npgrad.ones(1)}, buf)
    assert npgrad.load(io.BytesIO(buf.getvalue()), map_location=where)["w"].tolist() == [1.0]


@pytest.mark.parametrize("where", ["cuda:0", npgrad.device("cuda"), {"cpu": "cuda"}])
def test_map_location_to_cuda_raises_as_torch_cpu_build(torch, where):
    buf, tbuf = io.BytesIO(), io.BytesIO()
    npgrad.save({"w": npgrad.ones(1)}, buf)
    torch.save({"w": torch.ones(1)}, tbuf)
    twhere = torch.device(str(where)) if isinstance(where, npgrad.device) else where
    with pytest.raises(RuntimeError) as theirs:
        torch.load(io.BytesIO(tbuf.getvalue()), map_location=twhere)
    with pytest.raises(RuntimeError) as ours:
        npgrad.load(io.BytesIO(buf.getvalue()), map_location=where)
    assert str(ours.value) == str(theirs.value)


def test_map_location_rejects_unknown_devices():
    buf = io.BytesIO()
    npgrad.save({"w": npgrad.ones(1)}, buf)
    with pytest.raises(RuntimeError, match="Expected one of cpu, cuda"):
        npgrad.load(io.BytesIO(buf.getvalue()), map_location="gpu")


def test_saving_a_whole_model_explains_state_dict(tmp_path):
    model = _mlp()
    with pytest.raises(TypeError, match=r"cannot store the Sequential object itself .* save its .state_dict\(\)"):
        npgrad.save(model, tmp_path / "m.safetensors")
    with pytest.raises(TypeError, match="cannot store the SGD object itself at 'opt'"):
        npgrad.save({"opt": npgrad.optim.SGD(model.parameters(), lr=0.1)}, tmp_path / "m.safetensors")


def test_pytorch_tutorial_checkpoint_recipe_runs_unchanged(tmp_path):
    import npgrad as torch  # the recipe from PyTorch's "saving and loading a general checkpoint" tutorial
    model = _mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
    loss = (model(torch.randn(2, 4)) ** 2).mean()
    loss.backward()
    optimizer.step()
    PATH = str(tmp_path / "model.pt")
    torch.save({"epoch": 5, "model_state_dict": model.state_dict(),
                "optimizer_state_dict": optimizer.state_dict(), "loss": loss}, PATH)
    model2 = _mlp()
    optimizer2 = torch.optim.SGD(model2.parameters(), lr=0.001, momentum=0.9)
    checkpoint = torch.load(PATH, weights_only=True)
    model2.load_state_dict(checkpoint["model_state_dict"])
    optimizer2.load_state_dict(checkpoint["optimizer_state_dict"])
    assert checkpoint["epoch"] == 5 and checkpoint["loss"].item() == loss.item()
    model2.train()
    for a, b in zip(model.parameters(), model2.parameters()):
        np.testing.assert_array_equal(a._data, b._data)


def test_unsupported_dtype_is_named(torch, tmp_path):
    from safetensors.torch import save_file
    path = tmp_path / "bf16.safetensors"
    save_file({"w": torch.ones(2, dtype=torch.bfloat16)}, str(path))
    with pytest.raises(TypeError, match="tensor 'w' in .*bf16.safetensors has dtype BF16"):
        npgrad.load(path)


def test_saving_a_whole_module_names_the_state_dict_recipe(tmp_path):
    with pytest.raises(TypeError) as e:
        npgrad.save(npgrad.nn.Linear(2, 2), tmp_path / "m.pt")
    msg = str(e.value)
    assert "cannot store the Linear object itself (that would need pickle" in msg
    assert "npgrad.save(model.state_dict(), path)" in msg and "model.load_state_dict(npgrad.load(path))" in msg
    assert not (tmp_path / "m.pt").exists()


NAMES = ["DEFAULT_PROTOCOL", "SourceChangeWarning", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
         "safe_globals", "get_unsafe_globals_in_checkpoint", "location_tag", "default_restore_location",
         "register_package", "LoadEndianness", "get_default_load_endianness", "set_default_load_endianness",
         "skip_data", "save", "load"]


def test_torch_serialization_names_exist(torch):
    import torch.serialization as theirs
    for name in NAMES:
        assert hasattr(theirs, name) and hasattr(npgrad.serialization, name), name
    assert npgrad.serialization.DEFAULT_PROTOCOL == theirs.DEFAULT_PROTOCOL
    assert issubclass(npgrad.serialization.SourceChangeWarning, Warning)
    assert npgrad.serialization.get_default_load_endianness() == theirs.get_default_load_endianness()


def test_safe_globals_registry_and_context():
    class Config:
        pass
    s = npgrad.serialization
    s.clear_safe_globals()
    with s.safe_globals([Config]):
        assert s.get_safe_globals() == [Config]
    assert s.get_safe_globals() == []
    s.add_safe_globals([Config])
    assert Config in s.get_safe_globals()
    s.clear_safe_globals()
    with pytest.raises(TypeError):
        s.add_safe_globals(Config)


def test_default_restore_location_as_torch_cpu_build(torch):
    import torch.serialization as theirs
    assert npgrad.serialization.default_restore_location("data", "cpu") == "data"
    with pytest.raises(RuntimeError) as ours:
        npgrad.serialization.default_restore_location("data", "cuda:0")
    with pytest.raises(RuntimeError) as ref:
        theirs.default_restore_location(torch.UntypedStorage(2), "cuda:0")
    assert str(ours.value) == str(ref.value)


def test_docstring_examples():
    import doctest
    assert doctest.testmod(npgrad.serialization, optionflags=doctest.ELLIPSIS).failed == 0


_KILLED_SAVE = r"""
import os, signal, sys
import npgrad
os.fsync = lambda fd: os.kill(os.getpid(), signal.SIGKILL)  # die after writing, before the rename
npgrad.save({"w": npgrad.ones(1000)}, sys.argv[1])
"""


def _temps(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_killed_save_leaves_a_temporary_file_that_the_next_save_removes(tmp_path):
    import subprocess
    import sys
    path = tmp_path / "ckpt.pt"
    npgrad.save({"w": npgrad.zeros(3)}, path)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    proc = subprocess.run([sys.executable, "-c", _KILLED_SAVE, str(path)], env=env, capture_output=True)
    assert proc.returncode != 0
    stale = _temps(tmp_path)
    assert len(stale) == 1 and os.path.getsize(tmp_path / stale[0]) > 4000  # the killed write's bytes
    assert npgrad.load(path)["w"].tolist() == [0.0, 0.0, 0.0]  # the old checkpoint is intact
    npgrad.save({"w": npgrad.ones(2)}, path)
    assert _temps(tmp_path) == []
    assert npgrad.load(path)["w"].tolist() == [1.0, 1.0]


def test_temporary_files_of_live_writers_are_left_alone(tmp_path):
    path = tmp_path / "ckpt.pt"
    live = tmp_path / f".ckpt.pt.part-{os.getppid()}.abc.tmp"  # the parent process is alive
    other = tmp_path / ".other.pt.part-999999999.abc.tmp"        # another checkpoint's file
    live.write_bytes(b"x")
    other.write_bytes(b"x")
    npgrad.save({"w": npgrad.ones(1)}, path)
    assert live.exists() and other.exists()


def test_pytorch_pickle_checkpoints_are_named_and_explained(tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch writes the file")
    for zipped in (True, False):
        path = tmp_path / f"model{zipped}.pt"
        torch.save({"w": torch.ones(2)}, path, _use_new_zipfile_serialization=zipped)
        with pytest.raises(RuntimeError, match="PyTorch's pickle format") as info:
            npgrad.load(path)
        assert "safetensors" in str(info.value) and "weights_only=True" in str(info.value)


def test_deeply_nested_objects_raise_clear_errors(tmp_path):
    deep = []
    for _ in range(5000):
        deep = [deep]
    with pytest.raises(RuntimeError, match="nested too deeply"):
        npgrad.save({"a": deep}, tmp_path / "deep.pt")
    import safetensors.numpy as stn
    blob = stn.save({"a": np.ones(1, np.float32)}, metadata={"npgrad": "[" * 100000 + "]" * 100000})
    (tmp_path / "deep2.pt").write_bytes(blob)
    with pytest.raises(RuntimeError, match="nested too deeply"):
        npgrad.load(tmp_path / "deep2.pt")


def test_complex_arrays_are_refused_with_the_path():
    with pytest.raises(TypeError, match="'opt/z'.*complex128"):
        npgrad.save({"opt": {"z": np.array([1 + 2j])}}, io.BytesIO())
