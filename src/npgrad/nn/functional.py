"""``npgrad.nn.functional`` (``F``): the functional forms of the layers, activations and losses.

>>> import npgrad
>>> import npgrad.nn.functional as F
>>> F.relu(npgrad.tensor([-1.0, 1.0]))
tensor([0., 1.])
"""
from .activation_functional import *  # noqa: F401,F403
from .layer_functional import *  # noqa: F401,F403
from .loss_functional import *  # noqa: F401,F403
from .pointwise_losses import *  # noqa: F401,F403
from .extra_losses import *  # noqa: F401,F403
from .conv_functional import *  # noqa: F401,F403  (conv, pooling: conv_functional.py)
from .conv3d_functional import *  # noqa: F401,F403  (conv3d, 3-d pooling, max unpooling)
from .interp_functional import *  # noqa: F401,F403  (interpolate, scaled_dot_product_attention)
from .instancenorm import instance_norm  # noqa: F401
from .pixelshuffle import pixel_shuffle, pixel_unshuffle  # noqa: F401
from .embedding_losses import (cosine_embedding_loss, gaussian_nll_loss, margin_ranking_loss,  # noqa: F401
                               poisson_nll_loss, triplet_margin_loss)
