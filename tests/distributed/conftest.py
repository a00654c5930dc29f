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
