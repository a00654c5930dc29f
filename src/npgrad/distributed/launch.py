"""Start N ranks of a Python program through the MPI launcher (``mpiexec``).

``npgrad train --nproc N`` uses :func:`launch`; a program of one's own is started the same way by hand:
``mpiexec -n 4 python train.py``.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

from .process_group import INSTALL_HINT, _mpi4py_installed

__all__ = ["find_mpiexec", "mpiexec_command", "launch", "under_mpi_launcher"]

LAUNCHED_ENV = "NPGRAD_DIST_LAUNCHED"     # set for the ranks launch() starts
# what MPICH's hydra (PMI), Open MPI and PMIx launchers put in each rank's environment
_LAUNCHER_ENV = (LAUNCHED_ENV, "PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "PMIX_RANK")


def under_mpi_launcher(environ=None):
    """True in a process that an MPI launcher started (so it is a rank and must not launch ranks itself)."""
    environ = os.environ if environ is None else environ
    return any(environ.get(k) for k in _LAUNCHER_ENV)


def find_mpiexec():
    """The ``mpiexec`` beside this Python (the ``mpich`` wheel puts it there), else on PATH, else None."""
    here = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    if os.access(here, os.X_OK):
        return here
    return shutil.which("mpiexec") or shutil.which("mpirun")


def mpiexec_command(nproc, args, mpiexec=None):
    """The argv that runs ``python args...`` as ``nproc`` ranks (Open MPI gets the flags it needs as root)."""
    mpiexec = mpiexec or find_mpiexec()
    if mpiexec is None:
        raise RuntimeError(f"no MPI launcher (mpiexec) found beside {sys.executable} or on PATH. "
                           f"Install one with: {INSTALL_HINT}")
    extra = []
    try:
        version = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        version = ""
    if "Open MPI" in version or "OpenRTE" in version:
        extra = ["--oversubscribe"] + (["--allow-run-as-root"] if hasattr(os, "geteuid") and os.geteuid() == 0
                                       else [])
    return [mpiexec, "-n", str(int(nproc))] + extra + [sys.executable] + list(args)


def launch(nproc, args, env=None):
    """Run ``python args...`` as ``nproc`` MPI ranks and return the launcher's exit status.

    Raises RuntimeError naming what to install when mpi4py or an MPI launcher is missing.
    """
    if not _mpi4py_installed():
        raise RuntimeError(f"running {nproc} processes needs MPI and mpi4py is not installed. "
                           f"Install them with: {INSTALL_HINT}")
    cmd = mpiexec_command(nproc, args)
    env = dict(os.environ if env is None else env)
    env[LAUNCHED_ENV] = str(int(nproc))
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 130
