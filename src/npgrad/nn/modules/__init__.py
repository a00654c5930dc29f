"""``npgrad.nn.modules``: PyTorch's ``torch.nn.modules`` import paths (``from torch.nn.modules.loss import
_Loss``, ``torch.nn.modules.module.Module`` ...); every name is the one defined in ``npgrad.nn``.

>>> import npgrad
>>> from npgrad.nn.modules.loss import _Loss
>>> issubclass(npgrad.nn.MSELoss, _Loss) and npgrad.nn.modules.module.Module is npgrad.nn.Module
True
"""
from . import (activation, batchnorm, container, conv, dropout, flatten, instancenorm, linear, loss,  # noqa: F401
               module, normalization, padding, pixelshuffle, pooling, rnn, sparse, transformer, utils)
from .activation import *  # noqa: F401,F403
from .batchnorm import BatchNorm1d, BatchNorm2d, BatchNorm3d  # noqa: F401
from .container import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .module import Module  # noqa: F401
from .normalization import GroupNorm, LayerNorm  # noqa: F401
from .pooling import *  # noqa: F401,F403
from .rnn import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
