"""``npgrad.distributions``: probability distributions shaped like ``torch.distributions`` (Normal,
Categorical, Bernoulli and ``kl_divergence``), for policy gradients, VAEs and likelihoods.

>>> import npgrad
>>> from npgrad.distributions import Categorical
>>> probs = npgrad.tensor([0.1, 0.6, 0.3], requires_grad=True)
>>> m = Categorical(probs)
>>> loss = -m.log_prob(npgrad.tensor(1))
>>> loss.backward(); probs.grad
tensor([ 1.0000, -0.6667,  1.0000])
"""
from . import bernoulli, categorical, distribution, kl, normal  # noqa: F401
from .bernoulli import Bernoulli
from .categorical import Categorical
from .distribution import Distribution
from .kl import kl_divergence, register_kl
from .normal import Normal

__all__ = ["Distribution", "Normal", "Categorical", "Bernoulli", "kl_divergence", "register_kl"]
