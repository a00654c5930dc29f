"""``npgrad.nn``: modules, layers, activations, losses and initialisation, shaped like ``torch.nn``.

Each submodule lists its public names in ``__all__``.
"""
from .module import *  # noqa: F401,F403
from .containers import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .flatten import *  # noqa: F401,F403
from .activation import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .embedding_losses import (CosineEmbeddingLoss, CosineSimilarity, GaussianNLLLoss, MarginRankingLoss,  # noqa: F401
                               PairwiseDistance, PoissonNLLLoss, TripletMarginLoss)
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .conv3d import *  # noqa: F401,F403
from .upsample import *  # noqa: F401,F403
from .norm import *  # noqa: F401,F403
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d  # noqa: F401
from .padding import *  # noqa: F401,F403
from .pixelshuffle import PixelShuffle, PixelUnshuffle  # noqa: F401
from .dropout import *  # noqa: F401,F403
from .sparse import *  # noqa: F401,F403
from .recurrent import *  # noqa: F401,F403
from .transformer import *  # noqa: F401,F403
from .sync_batchnorm import *  # noqa: F401,F403
from . import functional, init, parallel, utils  # noqa: F401,E402
from . import modules  # noqa: F401,E402  (torch.nn.modules.* import paths)
