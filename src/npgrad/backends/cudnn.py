"""``npgrad.backends.cudnn``: cuDNN's flags, kept as settable attributes (no cuDNN on this build)."""

enabled = True
benchmark = False
deterministic = False
allow_tf32 = True
benchmark_limit = 10


def is_available():
    return False


def version():
    return None
