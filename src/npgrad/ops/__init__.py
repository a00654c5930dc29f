"""The differentiable primitives, by family: elementwise, reduce, shape, index, linalg."""
