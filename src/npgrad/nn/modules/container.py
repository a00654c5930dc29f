"""``torch.nn.modules.container``: Sequential, ModuleList, ModuleDict, ParameterList and ParameterDict
(defined in ``npgrad.nn.containers``), for programs that import them from there."""
from ..containers import *  # noqa: F401,F403
