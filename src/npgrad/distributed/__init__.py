"""``npgrad.distributed``: PyTorch's ``torch.distributed`` names on MPI (mpi4py).

Start N processes with ``mpiexec -n N python train.py`` (or ``npgrad train --nproc N``); each calls
:func:`init_process_group` and gets its rank from the launcher.  Collectives work in place on npgrad
tensors.  ``npgrad.nn.parallel.DistributedDataParallel`` averages gradients with them and
``npgrad.utils.data.distributed.DistributedSampler`` gives each rank its share of the data.

Without mpi4py ``is_available()`` is False and ``init_process_group`` says what to install
(``pip install "npgrad[dist]"``).

>>> import npgrad.distributed as dist
>>> dist.is_initialized()
False
"""
from .collectives import (ReduceOp, Work, all_gather, all_gather_into_tensor, all_gather_object, all_reduce,
                          barrier, broadcast, broadcast_object_list, reduce, reduce_scatter, reduce_scatter_tensor)
from .process_group import (Backend, DistBackendError, DistError, ProcessGroup, destroy_process_group, get_backend,
                            get_rank, get_world_size, init_process_group, is_available, is_gloo_available,
                            is_initialized, is_mpi_available, is_nccl_available)

__all__ = ["Backend", "DistBackendError", "DistError", "ProcessGroup", "ReduceOp", "Work", "all_gather",
           "all_gather_into_tensor", "all_gather_object", "all_reduce", "barrier", "broadcast",
           "broadcast_object_list", "destroy_process_group", "get_backend", "get_rank", "get_world_size",
           "init_process_group", "is_available", "is_gloo_available", "is_initialized", "is_mpi_available",
           "is_nccl_available", "reduce", "reduce_scatter", "reduce_scatter_tensor"]
