"""``npgrad.nn.utils``: gradient clipping, parameter vectors and explicit L1/L2 penalties."""
from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, clip_grads_with_norm_, get_total_norm
from .convert_parameters import parameters_to_vector, vector_to_parameters
from .regularization import l1_penalty, l2_penalty
from . import rnn  # noqa: F401  (torch.nn.utils.rnn)

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
           "parameters_to_vector", "vector_to_parameters", "l1_penalty", "l2_penalty"]
