"""The buffer pool behind the large activations: reuse only when nothing made from a buffer lives."""
import numpy as np
import pytest

import npgrad
from npgrad import _memory as M


def _addr(a):
    return a.__array_interface__["data"][0]


@pytest.fixture(autouse=True)
def fresh_pool():
    M.release()
    yield
    M.release()


def test_small_arrays_are_plain_numpy():
    a = M.empty((4, 4), np.float32)
    assert a.shape == (4, 4) and a.dtype == np.float32 and M.held_bytes() == 0


def test_a_freed_buffer_is_reused_and_a_live_one_is_not():
    a = M.empty((512, 1024), np.float32)
    first = _addr(a)
    b = M.empty((512, 1024), np.float32)
    assert _addr(b) != first  # a is alive
    del a
    c = M.empty((512, 1024), np.float32)
    assert _addr(c) == first
    assert not np.shares_memory(b, c)


@pytest.mark.parametrize("keep", [lambda a: a[1:], lambda a: a.T, lambda a: a.reshape(-1), lambda a: memoryview(a),
                                  lambda a: npgrad.from_numpy(a), lambda a: a.view(np.int32)])
def test_anything_made_from_a_buffer_keeps_it_out_of_reuse(keep):
    a = M.empty((512, 1024), np.float32)
    a[:] = 7
    held = keep(a)
    first = _addr(a)
    del a
    b = M.empty((512, 1024), np.float32)
    assert _addr(b) != first
    b[:] = 0
    assert np.all(np.asarray(held if not isinstance(held, npgrad.Tensor) else held.numpy()).view(np.float32) == 7)


def test_dtype_and_shape_change_with_same_bytes_reuses():
    a = M.empty((1024, 1024), np.float32)
    first = _addr(a)
    del a
    b = M.empty((2048, 512), np.int32)
    assert _addr(b) == first and b.dtype == np.int32 and b.shape == (2048, 512) and b.flags.c_contiguous


def test_empty_like_keeps_a_transposed_layout():
    x = np.zeros((64, 128, 14, 14), np.float32).transpose(1, 0, 2, 3)
    e = M.empty_like(x)
    assert e.shape == x.shape and e.strides == x.strides
    odd = np.zeros((300, 400, 3), np.float32)[:, ::2]  # not a permutation of a contiguous array
    f = M.empty_like(odd, np.float64)
    assert f.shape == odd.shape and f.dtype == np.float64


def test_the_pool_is_bounded(monkeypatch):
    monkeypatch.setattr(M, "LIMIT_BYTES", 3 << 20)
    for _ in range(10):
        M.empty((1 << 20,), np.uint8)  # each dies at once
        M.empty((1 << 19,), np.float32)
    assert M.held_bytes() <= 3 << 20


def test_training_steps_reuse_the_conv_buffers():
    npgrad.manual_seed(0)
    nn = npgrad.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(8 * 32 * 32, 10))
    x = npgrad.randn(64, 1, 64, 64)
    y = npgrad.randint(0, 10, (64,))
    sizes = []
    for _ in range(4):
        model.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        sizes.append(M.held_bytes())
    assert sizes[0] > 0 and sizes[-1] == sizes[1]  # warmed up after one step, then steady


def _step(sizes):
    """One synthetic training step: buffers of ``sizes`` bytes live together, then all die."""
    bufs = [M.empty((n,), np.uint8) for n in sizes]
    return sum(b.nbytes for b in bufs)


def test_buffers_of_sizes_no_longer_requested_are_dropped():
    mib = 1 << 20
    need = _step([4 * mib, 2 * mib])
    for batch in range(5, 25):  # a new batch size every step: every size is new
        need = max(need, _step([batch * mib, batch * mib // 2]))
        # what this step and the previous one used, never every size seen so far
        assert M.held_bytes() <= 2 * need
    assert M.held_bytes() < 3 * 24 * mib


def test_a_steady_loop_keeps_all_its_buffers():
    mib = 1 << 20
    sizes = [3 * mib, 2 * mib, 5 * mib]
    _step(sizes)
    held = M.held_bytes()
    for _ in range(5):
        _step(sizes)
        assert M.held_bytes() == held == sum(sizes)


def test_varying_batch_sizes_hold_at_most_two_steps():
    npgrad.manual_seed(0)
    nn = npgrad.nn
    model = nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                          nn.Linear(8 * 16 * 16, 10))

    def step(bs):
        model.zero_grad()
        nn.functional.cross_entropy(model(npgrad.randn(bs, 1, 32, 32)), npgrad.randint(0, 10, (bs,))).backward()

    step(128)
    one_step = M.held_bytes()
    for bs in [120, 112, 104, 96, 88, 80, 72, 64, 128, 100]:
        step(bs)
        assert M.held_bytes() <= 2 * one_step  # every size kept would reach ~7 steps here
