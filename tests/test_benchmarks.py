"""The benchmarks' own logic (never their timings): turn taking and the GEMM floors' product lists."""
from __future__ import annotations

import pytest

from benchmarks import bench_floor
from benchmarks.common import take_turns


def test_take_turns_alternates_in_blocks_with_an_untimed_call_first():
    calls = []
    fns = {k: (lambda k: lambda i: calls.append((k, i)))(k) for k in ("a", "b")}
    inputs = {k: (lambda i: (i,)) for k in fns}
    out = take_turns(fns, inputs, steps=5, block=2)
    assert set(out) == {"a", "b"} and all(v >= 0 for v in out.values())
    # blocks of 1 untimed + 2 timed calls, a then b, until both have 5 timed calls
    assert calls[:6] == [("a", 0), ("a", 1), ("a", 2), ("b", 0), ("b", 1), ("b", 2)]
    assert [i for k, i in calls if k == "a"] == [i for k, i in calls if k == "b"]  # the same inputs, same order
    assert len(calls) == 2 * 9  # three blocks each


def test_floor_products_are_the_im2col_and_linear_products():
    g = bench_floor.gemms()
    cnn = g["notes' CNN, batch 128"]
    # conv1 (no input gradient: the data), conv2 (forward, input gradient, weight gradient), two Linears
    p1, p2 = 128 * 28 * 28, 128 * 14 * 14
    assert cnn[:5] == [(32, 9, p1), (32, p1, 9), (64, 288, p2), (288, 64, p2), (64, p2, 288)]
    assert cnn[5:] == [(128, 3136, 128), (128, 128, 3136), (128, 128, 3136),
                       (128, 128, 10), (128, 10, 128), (10, 128, 128)]
    flops = sum(2 * m * k * n for m, k, n in g["ResNet-style, 3x32x32, 64 ch, batch 32"])
    conv = 2 * 32 * 32 * 32 * 64 * 64 * 9  # one 64 -> 64 3x3 conv on 32x32, batch 32, one direction
    stem = 2 * 32 * 32 * 32 * 64 * 27
    linear = 3 * 2 * 32 * 64 * 10
    assert flops == 5 * 3 * conv + 2 * stem + linear
    lstm = g["LSTM seq 50, batch 64, 32 -> 128"]
    assert lstm.count((64, 128, 512)) == 50 and lstm.count((64, 512, 128)) == 50


def test_floor_table_reports_each_step_against_its_floor():
    rows = [("net", 1.0, 0.010, 0.020, {"npgrad": 0.030, "torch": 0.025})]
    text = bench_floor.table([(1, 100.0, rows)])
    assert "peak sgemm 100 GFLOP/s" in text
    assert "| net | 1.00 | 10.0 ms | 20.0 ms | 30.0 ms | 25.0 ms | 1.50 | 1.25 |" in text
    no_torch = bench_floor.table([(2, 100.0, [("net", 1.0, 0.01, 0.02, {"npgrad": 0.03})])])
    assert "| 30.0 ms | - | 1.50 | - |" in no_torch


@pytest.mark.parametrize("shape", [(8, 16, 4)])
def test_product_time_is_measured_once_per_shape(shape):
    cache = {}
    t = bench_floor.product_time(*shape, cache)
    assert t > 0 and cache == {shape: t}
    assert bench_floor.product_time(*shape, cache) == t
