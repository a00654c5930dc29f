"""``torch.nn.modules.flatten``: Flatten and Unflatten (defined in ``npgrad.nn.flatten``), for programs
that import them from there."""
from ..flatten import *  # noqa: F401,F403
