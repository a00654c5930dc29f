"""Metric learning and likelihood heads as in common repos: an embedding CNN trained with
nn.TripletMarginLoss on (anchor, positive, negative) triplets selected online in each batch, then
CosineEmbeddingLoss / MarginRankingLoss pairs, F.normalize embeddings and a cosine-similarity retrieval
check; a heteroscedastic regression head (mean and variance, nn.GaussianNLLLoss) and a Poisson
regression (nn.PoissonNLLLoss with log-rate outputs)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from _fixed import fix_params, images, randn


class EmbeddingNet(nn.Module):
    def __init__(self):
        super(EmbeddingNet, self).__init__()
        self.convnet = nn.Sequential(nn.Conv2d(1, 4, 5), nn.PReLU(), nn.MaxPool2d(2, stride=2),
                                     nn.Conv2d(4, 8, 3), nn.PReLU(), nn.MaxPool2d(2, stride=2))
        self.fc = nn.Sequential(nn.Linear(8 * 2 * 2, 16), nn.PReLU(), nn.Linear(16, 4))

    def forward(self, x):
        output = self.convnet(x)
        output = output.view(output.size()[0], -1)
        return self.fc(output)

    def get_embedding(self, x):
        return self.forward(x)


x, y = images(24, side=16, classes=3, seed=8)


def make_triplets(labels):
    """Online triplet selection: for each sample, the next sample of its class (positive) and the next of
    another class (negative) in the batch."""
    a, p, n = [], [], []
    n_items = len(labels)
    for i in range(n_items):
        same = [j for j in range(i + 1, i + n_items) if labels[j % n_items] == labels[i]]
        diff = [j for j in range(i + 1, i + n_items) if labels[j % n_items] != labels[i]]
        if same and diff:
            a.append(i), p.append(same[0] % n_items), n.append(diff[0] % n_items)
    return torch.tensor(a), torch.tensor(p), torch.tensor(n)


model = fix_params(EmbeddingNet(), seed=3)
loss_fn = nn.TripletMarginLoss(margin=1.0, p=2)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 2, gamma=0.5, last_epoch=-1)
for epoch in range(3):
    total = 0.0
    for start in range(0, 24, 8):
        xb, yb = x[start:start + 8], y[start:start + 8]
        ia, ip, ineg = make_triplets(yb.tolist())
        optimizer.zero_grad()
        embeddings = model(xb)
        loss = loss_fn(embeddings[ia], embeddings[ip], embeddings[ineg])
        loss.backward()
        optimizer.step()
        total += loss.item()
    scheduler.step()
    print(f'Epoch: {epoch + 1}/3. Train set: Average loss: {total / 3:.4f}')

with torch.no_grad():
    emb = F.normalize(model.get_embedding(x), p=2, dim=1)
    sims = emb @ emb.T
    sims.fill_diagonal_(-2)
    nearest = sims.argmax(1)
    print('retrieval accuracy', (y[nearest] == y).float().mean().item())
    print(F.cosine_similarity(emb[:3], emb[3:6]), F.pairwise_distance(emb[:3], emb[3:6]))

e1, e2 = model(x[:6]), model(x[6:12])
target = torch.where(y[:6] == y[6:12], 1, -1)
print(nn.CosineEmbeddingLoss(margin=0.1)(e1, e2, target), target)
score1, score2 = e1.norm(dim=1), e2.norm(dim=1)
print(nn.MarginRankingLoss(margin=0.5)(score1, score2, target.float()))

# heteroscedastic regression: the network predicts a mean and a variance
X = randn(32, 3, seed=20)
Y = (X[:, :1] * 2 - X[:, 1:2]) + randn(32, 1, seed=21) * (0.1 + X[:, 2:3].abs())
net = fix_params(nn.Sequential(nn.Linear(3, 16), nn.Tanh(), nn.Linear(16, 2)), seed=4)
gnll = nn.GaussianNLLLoss()
opt = torch.optim.Adam(net.parameters(), lr=0.02)
for step in range(5):
    out = net(X)
    mean, var = out[:, :1], F.softplus(out[:, 1:]) + 1e-3
    loss = gnll(mean, Y, var)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5), round(var.mean().item(), 5))

# Poisson regression on counts with a log-rate output
counts = torch.tensor([[0.], [1.], [3.], [2.], [5.], [0.], [4.], [1.]])
Z = randn(8, 2, seed=22)
glm = fix_params(nn.Linear(2, 1), seed=5)
pnll = nn.PoissonNLLLoss(log_input=True, full=True)
opt = torch.optim.SGD(glm.parameters(), lr=0.1)
for step in range(4):
    loss = pnll(glm(Z), counts)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 5), glm.bias.item())
