"""``torch.nn.modules.module``: the Module base class (defined in ``npgrad.nn.module``), for programs that
import them from there."""
from ..module import *  # noqa: F401,F403
from ..module import Module, RemovableHandle, _IncompatibleKeys  # noqa: F401
