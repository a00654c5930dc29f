"""The examples in the distributed modules' docstrings (none of them starts MPI)."""
import doctest
import importlib

import pytest

MODULES = ["npgrad.distributed", "npgrad.distributed.process_group", "npgrad.distributed.collectives",
           "npgrad.distributed.launch", "npgrad.nn.parallel.distributed", "npgrad.nn.sync_batchnorm",
           "npgrad.utils.data.distributed", "npgrad.train.distributed"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
