"""``npgrad.backends.cuda``: CUDA's flags (``matmul.allow_tf32`` ...); CUDA is not built in."""
from types import SimpleNamespace

matmul = SimpleNamespace(allow_tf32=False, allow_fp16_reduced_precision_reduction=True,
                         allow_bf16_reduced_precision_reduction=True)


def is_built():
    return False
