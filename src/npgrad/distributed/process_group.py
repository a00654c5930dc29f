"""The default process group: one MPI communicator, its rank and size, and how a failure ends the job.

MPI (through mpi4py) is the engine: ranks and world size come from the launcher (``mpiexec -n N``),
collectives are MPI's.  npgrad adds three things around it:

* a wait with a timeout on every collective (MPI's own waits block for ever), so a rank stuck in a
  loop or gone quietly makes the others raise instead of hang;
* an exception hook: a rank that raises prints its traceback and aborts the whole job
  (``MPI_Abort``), naming itself, so the other ranks never wait on it;
* PyTorch's names and errors for everything a program asks of the group.
"""
from __future__ import annotations

import datetime
import importlib.util
import os
import sys
import time

__all__ = ["Backend", "DistError", "DistBackendError", "ProcessGroup", "init_process_group",
           "destroy_process_group", "is_available", "is_mpi_available", "is_gloo_available",
           "is_nccl_available", "is_initialized", "get_rank", "get_world_size", "get_backend"]

INSTALL_HINT = 'pip install "npgrad[dist]"  (mpi4py and the MPICH library, both wheels from PyPI)'
DEFAULT_TIMEOUT = datetime.timedelta(minutes=30)     # PyTorch's default_pg_timeout
_NOT_INIT = "Default process group has not been initialized, please make sure to call init_process_group."


class DistError(RuntimeError):
    """A failure of a collective (PyTorch's ``torch.distributed.DistError``)."""


class DistBackendError(DistError):
    """The communication engine failed or timed out (PyTorch's ``DistBackendError``)."""


class Backend(str):
    """Backend names as PyTorch spells them; npgrad's only engine is MPI.

    >>> Backend("MPI")
    'mpi'
    """
    MPI = "mpi"
    GLOO = "gloo"
    NCCL = "nccl"

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend name must be a string, but got: {name!r}")
        return str.__new__(cls, name.lower())


class ProcessGroup:
    """A communicator and its facts: ``rank()``, ``size()``, the timeout of its collectives."""

    def __init__(self, comm, backend, timeout):
        self.comm = comm
        self.backend = backend
        self.timeout = timeout
        self._rank, self._size = comm.Get_rank(), comm.Get_size()

    def rank(self):
        return self._rank

    def size(self):
        return self._size

    def wait(self, requests, what):
        """Wait for MPI ``requests``; past the group's timeout raise :class:`DistBackendError`."""
        mpi = _mpi()
        if mpi.Request.Testall(requests):
            return
        deadline = time.monotonic() + self.timeout.total_seconds()
        polls = 0
        while not mpi.Request.Testall(requests):
            polls += 1
            if polls > 2000:            # a long wait: stop spinning, leave the core to the others
                time.sleep(0.0002)
            if time.monotonic() > deadline:
                raise DistBackendError(
                    f"{what}: rank {self._rank} of {self._size} timed out after {self.timeout} waiting for "
                    "the other ranks (one of them is stuck or has stopped without raising)")

    def __repr__(self):
        return f"ProcessGroup(backend={self.backend!r}, rank={self._rank}, size={self._size})"


_default = None            # the ProcessGroup made by init_process_group
_previous_hook = None      # sys.excepthook before init_process_group replaced it


def _mpi4py_installed():
    mod = sys.modules.get("mpi4py", False)
    if mod is None:        # blocked (tests do this to check the behaviour without it)
        return False
    return bool(mod) or importlib.util.find_spec("mpi4py") is not None


def _mpi():
    """mpi4py's MPI module (importing it initialises MPI), or a RuntimeError naming what to install."""
    try:
        from mpi4py import MPI
    except ImportError as exc:
        raise RuntimeError(f"npgrad.distributed runs on MPI, and mpi4py could not be imported ({exc}). "
                           f"Install it with: {INSTALL_HINT}") from None
    return MPI


def is_available():
    """True when the distributed package can run here, i.e. mpi4py is installed (MPI is not started).

    >>> isinstance(is_available(), bool)
    True
    """
    return _mpi4py_installed()


is_mpi_available = is_available


def is_gloo_available():
    return False


def is_nccl_available():
    return False


def is_initialized():
    """True between :func:`init_process_group` and :func:`destroy_process_group`."""
    return _default is not None


def _group(group=None):
    if group is not None:
        if not isinstance(group, ProcessGroup):
            raise TypeError(f"group must be a ProcessGroup or None, got {type(group).__name__}")
        return group
    if _default is None:
        raise ValueError(_NOT_INIT)
    return _default


def get_rank(group=None):
    """This process's rank in ``group`` (the default group): 0 ... world_size - 1."""
    return _group(group).rank()


def get_world_size(group=None):
    """The number of processes in ``group`` (the default group)."""
    return _group(group).size()


def get_backend(group=None):
    return _group(group).backend


def _check_backend(backend):
    name = Backend(backend or Backend.MPI)
    # gloo is PyTorch's CPU backend: CPU programs written for it run unchanged, on MPI
    if name not in (Backend.MPI, Backend.GLOO):
        raise RuntimeError(f"init_process_group: backend {str(name)!r} is not available in npgrad; its only "
                           "engine is MPI (backend='mpi'; 'gloo' is accepted and runs on MPI too)")
    return Backend.MPI


def _check_size(what, given, env_name, actual):
    env = os.environ.get(env_name)
    if given not in (None, -1) and int(given) != actual:
        raise ValueError(f"init_process_group: {what}={given} but the MPI launcher started this process "
                         f"as {what} {actual} (launch with mpiexec -n N)")
    if env not in (None, "") and env.strip().lstrip("-").isdigit() and int(env) != actual:
        raise RuntimeError(f"init_process_group: environment variable {env_name}={env} but MPI says {actual}: "
                           "npgrad's process group runs on MPI, so start the program with "
                           "mpiexec -n N python ... (or npgrad train --nproc N), not torchrun")


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the default process group: rank and world size come from the MPI launcher.

    Run a program under ``mpiexec -n 4 python train.py``; each of the 4 processes calls
    ``init_process_group("mpi")``.  ``world_size``/``rank`` (and the ``WORLD_SIZE``/``RANK``
    environment variables), where given, must agree with the launcher.  ``timeout`` (a
    ``datetime.timedelta``, default 30 minutes) bounds every collective's wait.

    >>> import npgrad.distributed as dist
    >>> dist.is_initialized()
    False
    """
    global _default, _previous_hook
    if _default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    backend = _check_backend(backend)
    if timeout is None:
        timeout = DEFAULT_TIMEOUT
    if not isinstance(timeout, datetime.timedelta):
        raise TypeError(f"init_process_group: expected timeout argument to be of type datetime.timedelta, "
                        f"got {type(timeout).__name__}")
    if not _mpi4py_installed():
        raise RuntimeError(f"init_process_group: npgrad.distributed runs on MPI and mpi4py is not installed. "
                           f"Install it with: {INSTALL_HINT}")
    mpi = _mpi()
    comm = mpi.COMM_WORLD.Dup()      # our own communicator: a program's direct mpi4py calls stay apart
    _check_size("world_size", world_size, "WORLD_SIZE", comm.Get_size())
    _check_size("rank", rank, "RANK", comm.Get_rank())
    _default = ProcessGroup(comm, backend, timeout)
    if _default.size() > 1:
        _previous_hook = sys.excepthook
        sys.excepthook = _abort_on_exception


def destroy_process_group(group=None):
    """Leave the default group (frees its communicator); :func:`init_process_group` may be called again."""
    global _default, _previous_hook
    if _default is None or (group is not None and group is not _default):
        raise AssertionError("Process group cannot be None")
    comm, _default = _default.comm, None
    comm.Free()
    if _previous_hook is not None and sys.excepthook is _abort_on_exception:
        sys.excepthook = _previous_hook
    _previous_hook = None


def abort_job(message, code=1):
    """Print ``message`` (naming this rank) and end every rank of the job now (``MPI_Abort``).

    For errors a rank handles itself (a bad command-line argument ...): returning or ``sys.exit`` would
    leave the other ranks waiting.  Does nothing outside a group of more than one rank.
    """
    pg = _default
    if pg is None or pg.size() == 1:
        return
    sys.stdout.flush()
    sys.stderr.write(f"npgrad.distributed: rank {pg.rank()} of {pg.size()} failed ({message}); "
                     f"aborting all {pg.size()} ranks\n")
    sys.stderr.flush()
    # the launcher forwards each rank's output through a pipe and drops what is still in it when the job
    # is torn down: a moment's wait lets the traceback and this line reach the terminal
    time.sleep(0.5)
    _mpi().COMM_WORLD.Abort(code)


def _abort_on_exception(exc_type, exc, tb):
    """sys.excepthook while a group of more than one rank is up: report, then abort every rank."""
    pg = _default
    (_previous_hook or sys.__excepthook__)(exc_type, exc, tb)
    if pg is not None:
        abort_job(f"{exc_type.__name__}: {exc}" if str(exc) else exc_type.__name__, 1)
