"""DistributedDataParallel on 2 MPI ranks equals one process training on the concatenated batches."""
import os

import numpy as np
import pytest

import npgrad

from . import ddp_worker as W


def _load(out, name, rank):
    with np.load(os.path.join(out, f"{name}_rank{rank}.npz")) as z:
        return {k: z[k] for k in z.files}


def _reference(name, accumulate=False):
    build, _, _, kind = W.CASES[name]
    model = build(0)                               # rank 0's initialisation, which DDP broadcasts
    batches = W.accumulate_global(name) if accumulate else W.global_batches(name)
    return W.state_arrays(W.train(model, batches, kind, accumulate=accumulate))


@pytest.mark.parametrize("name", ["mlp", "cnn", "syncbn"])
def test_ranks_equal_single_process_on_concatenated_batch(ranks_run, name):
    out, _ = ranks_run
    ranks = [_load(out, name, r) for r in range(2)]
    ref = _reference(name)
    assert set(ranks[0]) == set(ref)
    for key, want in ref.items():
        np.testing.assert_array_equal(ranks[0][key], ranks[1][key], err_msg=f"{name}: ranks differ at {key}")
        np.testing.assert_allclose(ranks[0][key], want, rtol=2e-5, atol=2e-6, err_msg=f"{name}: {key}")
    # the comparison can fail: the initial (unbroadcast) rank-1 weights are far from the result
    start = W.state_arrays(W.CASES[name][0](1))
    assert any(not np.allclose(start[k], ref[k], atol=1e-3) for k in ref if k.endswith("weight"))


def test_no_sync_accumulation_equals_concatenated_micro_batches(ranks_run):
    out, _ = ranks_run
    ranks = [_load(out, "accumulate", r) for r in range(2)]
    ref = _reference("mlp", accumulate=True)
    for key, want in ref.items():
        np.testing.assert_array_equal(ranks[0][key], ranks[1][key])
        np.testing.assert_allclose(ranks[0][key], want, rtol=2e-5, atol=2e-6)


def test_find_unused_parameters(ranks_run):
    _, reports = ranks_run
    u0, u1 = reports[0]["unused"], reports[1]["unused"]
    assert u0["b_grad_none"] and u1["b_grad_none"]      # unused on every rank: .grad untouched
    assert u0["b_grad"] == u1["b_grad"] and u0["a_grad"] == u1["a_grad"]
    # head b ran on rank 0 only: its gradient is rank 0's divided by the world size
    npgrad.manual_seed(0)
    model = W.TwoHeads()
    model(npgrad.ones(2, 3), use_b=True).sum().backward()
    np.testing.assert_allclose(u0["b_grad"], model.b.weight.grad.numpy() / 2, rtol=1e-6)
    for u in (u0, u1):
        assert "Expected to have finished reduction" in u["unfinished_error"]
        assert "b.weight" in u["unfinished_error"] and "find_unused_parameters=True" in u["unfinished_error"]


def test_buffers_broadcast_from_rank0_at_forward(ranks_run):
    _, reports = ranks_run
    b0, b1 = reports[0]["buffers"]["running_mean"], reports[1]["buffers"]["running_mean"]
    assert b0 == b1 and max(abs(v) for v in b0) < 50       # rank 1's +100 was overwritten by rank 0's


def test_a_loss_diverging_on_one_rank_stops_every_rank_at_that_step(ranks_run):
    _, reports = ranks_run
    d0, d1 = reports[0]["divergence"], reports[1]["divergence"]
    assert d0 == d1
    assert d0["epochs"] == 1 and "at epoch 1, batch 3" in d0["diverged"]


def test_ddp_needs_a_process_group():
    from npgrad.nn.parallel import DistributedDataParallel
    with pytest.raises(ValueError, match="init_process_group"):
        DistributedDataParallel(npgrad.nn.Linear(2, 2))
    assert npgrad.nn.parallel.DistributedDataParallel is DistributedDataParallel
