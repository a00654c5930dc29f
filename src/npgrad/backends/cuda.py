"""``npgrad.backends.cuda``: CUDA's flags (``matmul.allow_tf32`` ...); ``is_built()`` says whether
the CUDA backend (CuPy and a GPU) is there."""
from types import SimpleNamespace

matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built():
    from .. import cuda
    return cuda.is_available()
