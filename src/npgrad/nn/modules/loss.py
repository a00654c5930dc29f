"""``torch.nn.modules.loss``: the loss modules (defined in ``npgrad.nn.loss``), for programs that import
them from there."""
from ..loss import *  # noqa: F401,F403
from ..loss import _Loss, _WeightedLoss  # noqa: F401
