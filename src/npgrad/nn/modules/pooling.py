"""``torch.nn.modules.pooling``: the pooling layers (defined in ``npgrad.nn.pooling``), for programs that
import them from there."""
from ..pooling import *  # noqa: F401,F403
from ..pooling import _AvgPoolNd, _MaxPoolNd  # noqa: F401
