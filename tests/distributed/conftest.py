import json
import os

import pytest

from .mpi_helpers import run_ranks


@pytest.fixture(scope="session")
def ranks_run(tmp_path_factory):
    """One 2-rank run of ddp_worker.py (training, collectives, buffers, unused parameters); its outputs."""
    out = str(tmp_path_factory.mktemp("ddp"))
    proc = run_ranks(["ddp_worker.py", "all", out])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reports = []
    for r in range(2):
        with open(os.path.join(out, f"report_rank{r}.json")) as f:
            reports.append(json.load(f))
    return out, reports


@pytest.fixture
def one_rank_group(monkeypatch):
    """A default group of one rank that never touches MPI (enough for DDP's checks in this process)."""
    from npgrad.distributed import process_group as pgmod
    group = pgmod.ProcessGroup.__new__(pgmod.ProcessGroup)
    group.comm, group.backend, group.timeout, group._rank, group._size = None, "mpi", None, 0, 1
    monkeypatch.setattr(pgmod, "_default", group)
    return group
