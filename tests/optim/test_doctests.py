"""The runnable examples in the optimizers' docstrings must stay true."""
import doctest
import importlib

import pytest

MODULES = ["adadelta", "adamax", "nadam", "radam", "asgd", "rprop", "sparse_adam", "lbfgs", "lr_scheduler"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    res = doctest.testmod(importlib.import_module(f"npgrad.optim.{name}"), optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted > 0
