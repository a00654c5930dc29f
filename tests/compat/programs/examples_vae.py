"""pytorch/examples vae: fc encoder to (mu, logvar), reparameterize, fc decoder, BCE + KL loss, Adam, test loss."""
import torch
import torch.utils.data
from torch import nn, optim
from torch.nn import functional as F

from _fixed import fix_params, images, randn

torch.manual_seed(1)
device = torch.device("cpu")
batch_size = 8
log_interval = 2
train_x, train_y = images(32, side=12, seed=3)
test_x, test_y = images(16, side=12, seed=4)
train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(train_x.clamp(0, 1), train_y),
                                           batch_size=batch_size, shuffle=False)
test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(test_x.clamp(0, 1), test_y),
                                          batch_size=batch_size, shuffle=False)
NOISE = iter([randn(batch_size, 4, seed=100 + i) for i in range(64)])


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(144, 40)
        self.fc21 = nn.Linear(40, 4)
        self.fc22 = nn.Linear(40, 4)
        self.fc3 = nn.Linear(4, 40)
        self.fc4 = nn.Linear(40, 144)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = next(NOISE)[:std.shape[0]]  # torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 144))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


model = fix_params(VAE()).to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-3)


# Reconstruction + KL divergence losses summed over all elements and batch
def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 144), reduction='sum')
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def train(epoch):
    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        if batch_idx % log_interval == 0:
            print('Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}'.format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader),
                loss.item() / len(data)))
    print('====> Epoch: {} Average loss: {:.4f}'.format(epoch, train_loss / len(train_loader.dataset)))


def test(epoch):
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
            if i == 0:
                n = min(data.size(0), 8)
                comparison = torch.cat([data[:n], recon_batch.view(batch_size, 1, 12, 12)[:n]])
                print('comparison', tuple(comparison.shape), round(comparison.mean().item(), 4))
    test_loss /= len(test_loader.dataset)
    print('====> Test set loss: {:.4f}'.format(test_loss))


for epoch in range(1, 3):
    train(epoch)
    test(epoch)
    with torch.no_grad():
        sample = randn(16, 4, seed=7).to(device)  # torch.randn(64, 20)
        sample = model.decode(sample).cpu()
        print('sample', tuple(sample.view(16, 1, 12, 12).shape), round(sample.sum().item(), 3))
