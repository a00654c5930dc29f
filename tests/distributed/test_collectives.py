"""The collectives on 2 ranks, and how a failing or stuck rank ends the job."""

from .mpi_helpers import run_ranks


def test_collectives_results(ranks_run):
    _, reports = ranks_run
    c = [rep["collectives"] for rep in reports]
    assert [x["rank"] for x in c] == [0, 1] and {x["world"] for x in c} == {2}
    for x in c:
        assert x["sum"] == [3.0, 10.0]
        assert x["AVG"] == [1.5, 1.5] and x["MAX"] == [2.0, 2.0] and x["MIN"] == [1.0, 1.0]
        assert x["PRODUCT"] == [2.0, 2.0]
        assert x["strided"] == [[0.0, 9.0], [3.0, 12.0], [6.0, 15.0]]
        assert x["broadcast"] == [1.0, 1.0, 1.0]
        assert x["all_gather"] == [[0, 0], [1, 1]]
        assert x["all_gather_into_tensor"] == [0.0, 0.0, 1.0, -1.0]
        assert x["objects"] == [{"rank": 0}, {"rank": 1}]
        assert x["async_done"] is True
    # rank r receives the sum over ranks q of input_list_q[r] = [r + q, 1] * (r + 1)
    assert c[0]["reduce_scatter"] == [1.0, 2.0] and c[1]["reduce_scatter"] == [6.0, 4.0]


def test_bad_inputs_raise_pytorchs_types_with_the_argument(ranks_run):
    _, reports = ranks_run
    e = reports[0]["collectives"]["errors"]
    assert e["not_a_tensor"] == "TypeError: all_reduce: tensor must be a Tensor, got list"
    assert e["bad_op"].startswith("ValueError: all_reduce: op must be a dist.ReduceOp")
    assert e["bad_src"] == "ValueError: broadcast: src must be a rank in [0, 1], got 2"
    assert e["short_list"].startswith("ValueError: all_gather: tensor_list must hold world_size=2 tensors, got 3")
    assert e["shape"].startswith("ValueError: all_gather: tensor_list[0] has shape (3,)")
    assert e["avg_int"].startswith("TypeError: all_reduce: ReduceOp.AVG needs a floating-point tensor")
    assert e["twice"] == "ValueError: trying to initialize the default process group twice!"


def test_world_size_from_the_environment_must_agree(monkeypatch):
    monkeypatch.setenv("WORLD_SIZE", "3")          # as torchrun would set it
    proc = run_ranks(["ddp_worker.py", "raise", "."], timeout=60)
    assert proc.returncode != 0
    assert "WORLD_SIZE=3 but MPI says 2" in proc.stderr and "mpiexec -n N" in proc.stderr


def test_a_rank_that_raises_stops_the_job_naming_itself():
    proc = run_ranks(["ddp_worker.py", "raise", "."], timeout=60)
    assert proc.returncode != 0
    assert "ValueError: rank one fails on purpose" in proc.stderr
    assert "rank 1 of 2 failed" in proc.stderr


def test_a_stuck_rank_makes_the_others_time_out():
    proc = run_ranks(["ddp_worker.py", "stuck"], timeout=50)
    assert proc.returncode != 0
    assert "timed out" in proc.stderr and "rank 0 of 2" in proc.stderr
