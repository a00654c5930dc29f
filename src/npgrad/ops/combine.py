"""``addcmul`` / ``addcdiv``: ``input + value * t1 * t2`` and ``input + value * t1 / t2``, the update
steps of hand-written optimizers (their in-place forms are ``Tensor.addcmul_`` / ``addcdiv_``).

>>> import npgrad
>>> npgrad.addcdiv(npgrad.ones(2), npgrad.tensor([1.0, 2.0]), npgrad.tensor([4.0, 4.0]), value=2)
tensor([1.5000, 2.0000])
"""
from __future__ import annotations

__all__ = ["addcmul", "addcdiv"]


def addcmul(input, tensor1, tensor2, *, value=1):
    return input + (tensor1 * tensor2 * value if value != 1 else tensor1 * tensor2)


def addcdiv(input, tensor1, tensor2, *, value=1):
    if not (tensor1.is_floating_point() or tensor2.is_floating_point()):
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2. The historic addcdiv behavior can "
                           "be implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for "
                           "integer inputs and as (input + value * tensor1 / tensor2) for float inputs. The future "
                           "addcdiv behavior is just the latter implementation: (input + value * tensor1 / tensor2), "
                           "for all dtypes.")
    return input + (tensor1 / tensor2 * value if value != 1 else tensor1 / tensor2)
