"""Running a script as N MPI ranks from a test; skips (with the reason) where MPI is not installed."""
import os
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(os.path.dirname(os.path.dirname(HERE)), "src")


def require_mpi():
    """Skip unless mpi4py and an mpiexec are installed (``pip install "npgrad[dist]"``)."""
    pytest.importorskip("mpi4py", reason='needs mpi4py and MPICH: pip install "npgrad[dist]"')
    from npgrad.distributed.launch import find_mpiexec
    if find_mpiexec() is None:
        pytest.skip('no mpiexec found (pip install mpich, or the "dist" extra)')


def run_ranks(script_args, nproc=2, timeout=120):
    """``mpiexec -n nproc python script_args...``; returns the CompletedProcess (text output)."""
    require_mpi()
    from npgrad.distributed.launch import mpiexec_command
    env = dict(os.environ, PYTHONPATH=SRC + os.pathsep + os.environ.get("PYTHONPATH", ""),
               OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = mpiexec_command(nproc, script_args)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=HERE)
