"""``torch.nn.modules.sparse``: Embedding (defined in ``npgrad.nn.sparse``), for programs that import them
from there."""
from ..sparse import *  # noqa: F401,F403
