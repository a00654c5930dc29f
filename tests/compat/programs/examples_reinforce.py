"""pytorch/examples reinforcement_learning/reinforce.py, retold small: a Policy network with a softmax head,
Categorical(probs) for select_action with saved log-probabilities, discounted returns normalised with
eps, the policy-gradient loss, Adam; the environment is a tiny deterministic corridor (no gym) and the
action draws come from NumPy.  Then a Gaussian policy (Normal, rsample, entropy bonus), Bernoulli
log-likelihoods and kl_divergence as VAE / PPO code uses them."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.distributions import Bernoulli, Categorical, Normal, kl_divergence

from _fixed import fix_params, rand, randn

gamma = 0.99
log_interval = 2
DRAWS = np.random.default_rng(7).random(1000)
draw_count = 0


class Corridor:
    """Walk from position 0 to +3 (reward 1 at the goal, -0.05 per step); -3 ends the episode too."""

    def reset(self, seed=None):
        self.pos = 0
        return np.array([0.0, 1.0, 0.0, 0.0], np.float32), {}

    def step(self, action):
        self.pos += 1 if action == 1 else -1
        done = abs(self.pos) >= 3
        reward = 1.0 if self.pos >= 3 else -0.05
        state = np.array([self.pos / 3, 1.0, float(self.pos > 0), float(self.pos < 0)], np.float32)
        return state, reward, done, False, {}


env = Corridor()


class Policy(nn.Module):
    def __init__(self):
        super(Policy, self).__init__()
        self.affine1 = nn.Linear(4, 16)
        self.dropout = nn.Dropout(p=0.0)
        self.affine2 = nn.Linear(16, 2)
        self.saved_log_probs = []
        self.rewards = []

    def forward(self, x):
        x = self.affine1(x)
        x = self.dropout(x)
        x = F.relu(x)
        action_scores = self.affine2(x)
        return F.softmax(action_scores, dim=1)


policy = fix_params(Policy())
optimizer = optim.Adam(policy.parameters(), lr=1e-2)
eps = np.finfo(np.float32).eps.item()


def select_action(state):
    global draw_count
    state = torch.from_numpy(state).float().unsqueeze(0)
    probs = policy(state)
    m = Categorical(probs)
    # action = m.sample(): the draw, from NumPy's generator
    action = torch.tensor([int(DRAWS[draw_count] > probs[0, 0].item())])
    draw_count += 1
    policy.saved_log_probs.append(m.log_prob(action))
    return action.item()


def finish_episode():
    R = 0
    policy_loss = []
    returns = []
    for r in policy.rewards[::-1]:
        R = r + gamma * R
        returns.insert(0, R)
    returns = torch.tensor(returns)
    returns = (returns - returns.mean()) / (returns.std() + eps)
    for log_prob, R in zip(policy.saved_log_probs, returns):
        policy_loss.append(-log_prob * R)
    optimizer.zero_grad()
    policy_loss = torch.cat(policy_loss).sum()
    policy_loss.backward()
    optimizer.step()
    del policy.rewards[:]
    del policy.saved_log_probs[:]
    return policy_loss.item()


running_reward = 0
for i_episode in range(1, 7):
    state, _ = env.reset(seed=543)
    ep_reward = 0
    for t in range(1, 20):
        action = select_action(state)
        state, reward, done, _, _ = env.step(action)
        policy.rewards.append(reward)
        ep_reward += reward
        if done:
            break
    running_reward = 0.05 * ep_reward + (1 - 0.05) * running_reward
    loss = finish_episode()
    if i_episode % log_interval == 0:
        print('Episode {}\tLast reward: {:.2f}\tAverage reward: {:.2f}\tloss {:.4f}\tsteps {}'.format(
            i_episode, ep_reward, running_reward, loss, t))
print(policy(torch.tensor([[0.0, 1.0, 0.0, 0.0]])))

# Categorical details: logits vs probs, entropy, batch of distributions
m = Categorical(logits=torch.tensor([[1.0, 2.0, 0.5], [0.0, 0.0, 0.0]]))
print(m.probs, m.logits, m.entropy(), m.batch_shape, m.event_shape)
print(m.log_prob(torch.tensor([1, 2])), m.mode, Categorical(probs=torch.tensor([2.0, 6.0])).probs)
print(m.sample().shape, m.sample((5,)).shape, m.sample().dtype)

# a Gaussian policy with a learned log-std, the reparameterisation trick and an entropy bonus
mu_net = fix_params(nn.Linear(3, 2), seed=4)
log_std = nn.Parameter(torch.full((2,), -0.5))
opt = optim.SGD(list(mu_net.parameters()) + [log_std], lr=0.1)
obs = randn(4, 3, seed=5)
for step in range(3):
    dist = Normal(mu_net(obs), log_std.exp())
    eps_noise = randn(4, 2, seed=10 + step)  # dist.rsample() draws this noise
    act = dist.loc + eps_noise * dist.scale
    advantage = -(act - 0.5).pow(2).sum(-1).detach()
    loss = -(dist.log_prob(act.detach()).sum(-1) * advantage).mean() - 0.01 * dist.entropy().sum(-1).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5), log_std.data, dist.stddev.mean().item())
n = Normal(torch.tensor([0.0, 1.0]), torch.tensor([1.0, 2.0]))
print(n, n.mean, n.variance, n.cdf(torch.tensor([0.0, 0.0])), n.icdf(torch.tensor([0.5, 0.975])))
print(n.rsample((3,)).shape, n.sample().requires_grad, Normal(0.0, 1.0).log_prob(torch.tensor(1.0)))

# VAE-style: Bernoulli likelihood of binary pixels, KL to the standard normal prior
x = (rand(3, 6, seed=11) > 0.5).float()
logits = randn(3, 6, seed=12)
recon = Bernoulli(logits=logits).log_prob(x).sum(-1)
print(recon, -F.binary_cross_entropy_with_logits(logits, x, reduction='none').sum(-1))
print(Bernoulli(probs=torch.tensor([0.2, 0.9])).entropy(), Bernoulli(0.3).mean, Bernoulli(torch.tensor(0.5)).variance)
q = Normal(randn(3, 2, seed=13), rand(3, 2, seed=14) + 0.5)
p = Normal(torch.zeros(3, 2), torch.ones(3, 2))
kl = kl_divergence(q, p).sum(-1)
print(kl, (-0.5 * (1 + 2 * q.scale.log() - q.loc.pow(2) - q.scale.pow(2))).sum(-1))
old, new = Categorical(logits=randn(4, 3, seed=15)), Categorical(logits=randn(4, 3, seed=16))
print(kl_divergence(old, new), kl_divergence(Bernoulli(0.3), Bernoulli(0.6)))
try:
    Normal(torch.tensor([0.0]), torch.tensor([-1.0]))
except ValueError as e:
    print('ValueError:', str(e).split(' of distribution')[0])
