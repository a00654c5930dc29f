"""Data-parallel training runs for the tests: run as ranks (``mpiexec -n 2 python ddp_worker.py MODE OUT``)
or imported, for the single-process reference that trains on the concatenated batches.

Every rank starts from a different initialisation (seed = rank) to check that DDP broadcasts rank 0's.
"""
import json
import os
import sys
import time

import numpy as np

import npgrad
from npgrad import nn
from npgrad.utils.data import DataLoader, DistributedSampler, TensorDataset

WORLD = 2
LOCAL_BATCH = 8
EPOCHS = 2


def mlp(seed):
    npgrad.manual_seed(seed)
    return nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 4))


def cnn(seed, batchnorm=False):
    npgrad.manual_seed(seed)
    return nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), *([nn.BatchNorm2d(4)] if batchnorm else []), nn.ReLU(),
                         nn.MaxPool2d(2), nn.Conv2d(4, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(32, 3))


CASES = {    # name -> (model builder, input shape, classes, optimizer)
    "mlp": (mlp, (6,), 4, "sgd"),
    "cnn": (cnn, (1, 8, 8), 3, "adam"),
    "syncbn": (lambda seed: cnn(seed, batchnorm=True), (1, 8, 8), 3, "sgd"),
}


def dataset(name):
    _, shape, classes, _ = CASES[name]
    rng = np.random.default_rng(7)
    x = rng.standard_normal((40,) + shape).astype(np.float32)
    y = rng.integers(0, classes, 40)
    return TensorDataset(npgrad.tensor(x), npgrad.tensor(y))


def local_batches(name, rank, world=WORLD):
    ds = dataset(name)
    sampler = DistributedSampler(ds, num_replicas=world, rank=rank, shuffle=True, seed=3)
    loader = DataLoader(ds, batch_size=LOCAL_BATCH, sampler=sampler)
    for epoch in range(EPOCHS):
        sampler.set_epoch(epoch)
        yield from loader


def global_batches(name, world=WORLD):
    """The concatenation, in rank order, of every rank's batch at each step."""
    for parts in zip(*(local_batches(name, r, world) for r in range(world))):
        yield npgrad.cat([p[0] for p in parts]), npgrad.cat([p[1] for p in parts])


def optimizer(kind, params):
    if kind == "sgd":
        return npgrad.optim.SGD(params, lr=0.1, momentum=0.9)
    return npgrad.optim.Adam(params, lr=0.01)


def train(model, batches, kind, accumulate=False):
    """Steps over ``batches``; with ``accumulate`` two half-batches per step (the first under no_sync)."""
    opt, loss_fn = optimizer(kind, model.parameters()), nn.CrossEntropyLoss()
    for x, y in batches:
        opt.zero_grad()
        if accumulate:
            half = len(y) // 2
            sync = model.no_sync() if hasattr(model, "no_sync") else _Nothing()
            with sync:
                loss_fn(model(x[:half]), y[:half]).backward()
            loss_fn(model(x[half:]), y[half:]).backward()
        else:
            loss_fn(model(x), y).backward()
        opt.step()
    return model


class _Nothing:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def accumulate_global(name, world=WORLD):
    """Reference of no_sync accumulation: per step, the global first halves then the global second halves."""
    for parts in zip(*(local_batches(name, r, world) for r in range(world))):
        half = len(parts[0][1]) // 2
        yield (npgrad.cat([p[0][:half] for p in parts] + [p[0][half:] for p in parts]),
               npgrad.cat([p[1][:half] for p in parts] + [p[1][half:] for p in parts]))


def state_arrays(module):
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


# -- the ranks' side ------------------------------------------------------------------------------
def run_training(out, rank):
    from npgrad.nn.parallel import DistributedDataParallel as DDP
    for name, (build, _, _, kind) in CASES.items():
        model = build(rank)
        if name == "syncbn":
            model = nn.SyncBatchNorm.convert_sync_batchnorm(model)
        # runs just before DDP's own hook on the first layer's weight, the last gradient backward computes
        first = next(model.parameters())
        seen = []
        first.register_post_accumulate_grad_hook(lambda p: seen.append(ddp._next_bucket))
        ddp = DDP(model, bucket_cap_mb=0.0005)         # 0.5 KB: several buckets even for these models
        train(ddp, local_batches(name, rank), kind)
        # communication started during backward: buckets were in flight before the first layer's gradient
        assert len(seen) > 1 and min(seen) >= 1 and len(ddp._buckets) > 1, (seen, len(ddp._buckets))
        np.savez(os.path.join(out, f"{name}_rank{rank}.npz"), **state_arrays(model))
        if name == "mlp":
            keys = list(ddp.state_dict())
            assert keys[0] == "module.0.weight", keys
            assert len(ddp._buckets) > 1, len(ddp._buckets)
    model = mlp(rank)
    train(DDP(model), local_batches("mlp", rank), "sgd", accumulate=True)
    np.savez(os.path.join(out, f"accumulate_rank{rank}.npz"), **state_arrays(model))


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        self.body, self.a, self.b = nn.Linear(3, 4), nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x, use_b=False):
        h = self.body(x).relu()
        return self.b(h) if use_b else self.a(h)


def run_unused(rank):
    """find_unused_parameters: the unused head keeps grad None; a head used on one rank only is averaged."""
    from npgrad.nn.parallel import DistributedDataParallel as DDP
    report = {}
    npgrad.manual_seed(0)
    model = TwoHeads()
    ddp = DDP(model, find_unused_parameters=True)
    x = npgrad.ones(2, 3) * (rank + 1)
    ddp(x).sum().backward()
    report["b_grad_none"] = model.b.weight.grad is None
    model.zero_grad()
    ddp(x, use_b=(rank == 0)).sum().backward()
    report["b_grad"] = model.b.weight.grad.numpy().tolist()
    report["a_grad"] = model.a.weight.grad.numpy().tolist()
    # without find_unused_parameters, a parameter that gets no gradient is an error at the next forward
    plain = DDP(TwoHeads())
    plain(x).sum().backward()
    try:
        plain(x)
        report["unfinished_error"] = None
    except RuntimeError as exc:
        report["unfinished_error"] = str(exc)
    return report


def run_buffers(rank):
    """broadcast_buffers: rank 0's running statistics reach the others at the next forward."""
    from npgrad.nn.parallel import DistributedDataParallel as DDP
    npgrad.manual_seed(rank)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    ddp = DDP(model)
    ddp(npgrad.randn(6, 3)).sum().backward()
    model[1].running_mean._data += 100.0 * rank
    model.eval()
    with npgrad.no_grad():
        ddp(npgrad.randn(2, 3))
    return {"running_mean": model[1].running_mean.numpy().tolist()}


def run_divergence(rank):
    """A non-finite loss on rank 1 only: both ranks stop at that same step (no one left waiting)."""
    from npgrad.nn.parallel import DistributedDataParallel as DDP
    from npgrad.train.distributed import DistributedTrainer
    model = DDP(mlp(0))
    rng = np.random.default_rng(rank)
    x = rng.standard_normal((32, 6)).astype(np.float32)
    if rank == 1:
        x[20, 0] = np.nan                          # in the third batch of 8
    loader = DataLoader(TensorDataset(npgrad.tensor(x), npgrad.tensor(rng.integers(0, 4, 32))), batch_size=8)
    trainer = DistributedTrainer(model, npgrad.optim.SGD(model.parameters(), lr=0.1), log=None, progress=False,
                                 world_size=2)
    trainer.fit(loader, epochs=2)
    return {"diverged": trainer.diverged, "epochs": len(trainer.history)}


def run_collectives(rank, world):
    import npgrad.distributed as dist
    r = {}
    t = npgrad.tensor([rank + 1.0, 10.0 * rank])
    dist.all_reduce(t)
    r["sum"] = t.tolist()
    for op in ("AVG", "MAX", "MIN", "PRODUCT"):
        t = npgrad.tensor([rank + 1.0, 2.0 - rank])
        dist.all_reduce(t, op=getattr(dist.ReduceOp, op))
        r[op] = t.tolist()
    t = npgrad.arange(6.0).reshape(2, 3).T * (rank + 1)         # not contiguous: still in place
    dist.all_reduce(t)
    r["strided"] = t.tolist()
    t = npgrad.tensor([float(rank)] * 3)
    dist.broadcast(t, src=world - 1)
    r["broadcast"] = t.tolist()
    parts = [npgrad.zeros(2, dtype=npgrad.int64) for _ in range(world)]
    dist.all_gather(parts, npgrad.tensor([rank, rank * rank]))
    r["all_gather"] = [p.tolist() for p in parts]
    out = npgrad.zeros(2)
    dist.reduce_scatter(out, [npgrad.tensor([i + rank, 1.0]) * (i + 1) for i in range(world)])
    r["reduce_scatter"] = out.tolist()
    big = npgrad.zeros(world * 2)
    dist.all_gather_into_tensor(big, npgrad.tensor([rank, -rank], dtype=npgrad.float32))
    r["all_gather_into_tensor"] = big.tolist()
    objs = [None] * world
    dist.all_gather_object(objs, {"rank": rank})
    r["objects"] = objs
    work = dist.all_reduce(npgrad.ones(4), async_op=True)
    r["async_done"] = work.wait() and work.is_completed()
    dist.barrier()
    r["rank"], r["world"] = dist.get_rank(), dist.get_world_size()
    r["errors"] = _bad_inputs(dist, world)
    return r


def _bad_inputs(dist, world):
    """The message of each bad call (all raise before communicating, so the ranks stay in step)."""
    calls = {
        "not_a_tensor": lambda: dist.all_reduce([1.0, 2.0]),
        "bad_op": lambda: dist.all_reduce(npgrad.ones(2), op="sum"),
        "bad_src": lambda: dist.broadcast(npgrad.ones(2), src=world),
        "short_list": lambda: dist.all_gather([npgrad.zeros(2)] * (world + 1), npgrad.ones(2)),
        "shape": lambda: dist.all_gather([npgrad.zeros(3)] * world, npgrad.ones(2)),
        "avg_int": lambda: dist.all_reduce(npgrad.ones(2, dtype=npgrad.int64), op=dist.ReduceOp.AVG),
        "twice": lambda: dist.init_process_group("mpi"),
    }
    out = {}
    for name, call in calls.items():
        try:
            call()
            out[name] = None
        except Exception as exc:        # noqa: BLE001 - the test checks the type and message
            out[name] = f"{type(exc).__name__}: {exc}"
    return out


def main(mode, out):
    import npgrad.distributed as dist
    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()
    if mode == "all":
        run_training(out, rank)
        report = {"unused": run_unused(rank), "buffers": run_buffers(rank), "divergence": run_divergence(rank),
                  "collectives": run_collectives(rank, world)}
        with open(os.path.join(out, f"report_rank{rank}.json"), "w") as f:
            json.dump(report, f)
    elif mode == "raise":
        if rank == 1:
            raise ValueError("rank one fails on purpose")
        dist.barrier()                  # rank 0 would wait here for ever without the abort
    elif mode == "stuck":
        if rank == 1:
            time.sleep(60)
        dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    if sys.argv[1] == "stuck":
        import datetime
        import npgrad.distributed as dist
        dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=1))
        if dist.get_rank() == 1:
            time.sleep(60)
        dist.barrier()
    else:
        main(sys.argv[1], sys.argv[2])
