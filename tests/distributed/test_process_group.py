"""npgrad.distributed in one process, without starting MPI: availability, errors, names."""
import datetime
import sys

import numpy as np
import pytest

import npgrad
import npgrad.distributed as dist


@pytest.fixture
def no_mpi4py(monkeypatch):
    monkeypatch.setitem(sys.modules, "mpi4py", None)     # `import mpi4py` now fails, as when not installed


def test_without_mpi4py_is_unavailable_and_init_names_the_install(no_mpi4py):
    assert dist.is_available() is False and dist.is_mpi_available() is False
    with pytest.raises(RuntimeError, match=r'pip install "npgrad\[dist\]"'):
        dist.init_process_group("mpi")
    assert not dist.is_initialized()


def test_launch_without_mpi4py_names_the_install(no_mpi4py):
    from npgrad.distributed.launch import launch
    with pytest.raises(RuntimeError, match=r'pip install "npgrad\[dist\]"'):
        launch(2, ["-c", "pass"])


def test_uninitialized_group_errors_are_pytorchs():
    assert not dist.is_initialized()
    msg = "Default process group has not been initialized"
    for call in (dist.get_rank, dist.get_world_size, dist.barrier,
                 lambda: dist.all_reduce(npgrad.ones(2)), lambda: dist.broadcast(npgrad.ones(2), 0)):
        with pytest.raises(ValueError, match=msg):
            call()
    with pytest.raises(AssertionError):
        dist.destroy_process_group()


def test_init_argument_errors():
    with pytest.raises(RuntimeError, match="backend 'nccl' is not available"):
        dist.init_process_group("nccl")
    with pytest.raises(TypeError, match="timedelta"):
        dist.init_process_group("mpi", timeout=30)
    assert not dist.is_initialized()


def test_names_as_pytorch():
    torch_dist = pytest.importorskip("torch.distributed", reason="compares names with PyTorch")
    for name in ("SUM", "AVG", "MAX", "MIN", "PRODUCT"):
        assert repr(getattr(dist.ReduceOp, name)) == repr(getattr(torch_dist.ReduceOp, name))
    assert dist.Backend("MPI") == "mpi" == torch_dist.Backend("MPI")
    assert issubclass(dist.DistBackendError, RuntimeError)
    assert dist.is_nccl_available() is False and dist.is_gloo_available() is False
    assert isinstance(dist.process_group.DEFAULT_TIMEOUT, datetime.timedelta)


def test_dropped_wrapper_removes_its_hooks(one_rank_group):
    import gc
    from npgrad.autograd import engine
    from npgrad.nn.parallel import DistributedDataParallel

    live = engine.post_hooks_live[0]
    model = npgrad.nn.Linear(3, 2)
    ddp = DistributedDataParallel(model)
    assert engine.post_hooks_live[0] == live + 2
    x = npgrad.randn(4, 3)
    ddp(x).sum().backward()
    want = npgrad.autograd.grad(model(x).sum(), model.weight)[0]
    np.testing.assert_allclose(model.weight.grad.numpy(), want.numpy(), rtol=1e-6)
    del ddp
    gc.collect()
    assert engine.post_hooks_live[0] == live and not model.weight._post_acc_hooks


def test_ddp_bad_arguments(one_rank_group):
    from npgrad.nn.parallel import DistributedDataParallel
    with pytest.raises(TypeError, match="module must be an nn.Module, got str"):
        DistributedDataParallel("net")
    with pytest.raises(ValueError, match="bucket_cap_mb must be positive, got 0"):
        DistributedDataParallel(npgrad.nn.Linear(2, 2), bucket_cap_mb=0)
    with pytest.raises(RuntimeError, match="doesn't have any parameter that requires a gradient"):
        DistributedDataParallel(npgrad.nn.ReLU())
    frozen = npgrad.nn.Linear(2, 2).requires_grad_(False)
    with pytest.raises(RuntimeError, match="doesn't have any parameter"):
        DistributedDataParallel(frozen)


def test_ddp_no_sync_accumulates_locally(one_rank_group):
    """Inside no_sync the hooks stay quiet and the gradients add up (the next synced backward averages them)."""
    from npgrad.nn.parallel import DistributedDataParallel
    model = npgrad.nn.Linear(3, 2)
    ddp = DistributedDataParallel(model)
    x1, x2 = npgrad.randn(4, 3), npgrad.randn(4, 3)
    with ddp.no_sync():
        ddp(x1).sum().backward()
        assert not ddp._expect_hooks
    ddp(x2).sum().backward()
    want = npgrad.autograd.grad(model(npgrad.cat([x1, x2])).sum(), model.weight)[0]
    np.testing.assert_allclose(model.weight.grad.numpy(), want.numpy(), rtol=1e-5)


def test_missing_mpiexec_names_what_to_install(monkeypatch):
    from npgrad.distributed import launch
    monkeypatch.setattr(launch, "find_mpiexec", lambda: None)
    with pytest.raises(RuntimeError, match=r'no MPI launcher \(mpiexec\) found.*pip install "npgrad\[dist\]"'):
        launch.mpiexec_command(2, ["train.py"])


def test_mpiexec_command_shape(monkeypatch, tmp_path):
    from npgrad.distributed import launch
    fake = tmp_path / "mpiexec"
    fake.write_text("#!/bin/sh\necho 'HYDRA build details:'\n")
    fake.chmod(0o755)
    cmd = launch.mpiexec_command(3, ["-m", "npgrad.cli", "train"], mpiexec=str(fake))
    assert cmd == [str(fake), "-n", "3", sys.executable, "-m", "npgrad.cli", "train"]
    fake.write_text("#!/bin/sh\necho 'mpiexec (Open MPI) 5.0.3'\n")
    cmd = launch.mpiexec_command(2, ["x.py"], mpiexec=str(fake))
    assert "--oversubscribe" in cmd and cmd[-2:] == [sys.executable, "x.py"]


def test_under_mpi_launcher():
    from npgrad.distributed.launch import under_mpi_launcher
    assert under_mpi_launcher({"PMI_RANK": "0", "PMI_SIZE": "2"})
    assert under_mpi_launcher({"OMPI_COMM_WORLD_SIZE": "4"})
    assert not under_mpi_launcher({"PATH": "/usr/bin"})
