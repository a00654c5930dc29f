"""pytorch/examples super_resolution, retold small: the sub-pixel CNN (Conv2d layers, then PixelShuffle
by the upscale factor), orthogonal init with the ReLU gain, low-resolution inputs made by downscaling,
MSELoss and Adam, PSNR on a test set, and super-resolving one image."""
from math import log10

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.nn.init as init
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

from _fixed import fix_params, images

upscale_factor = 2
torch.manual_seed(123)
device = torch.device("cpu")


class Net(nn.Module):
    def __init__(self, upscale_factor):
        super(Net, self).__init__()
        self.relu = nn.ReLU()
        self.conv1 = nn.Conv2d(1, 16, (5, 5), (1, 1), (2, 2))
        self.conv2 = nn.Conv2d(16, 16, (3, 3), (1, 1), (1, 1))
        self.conv3 = nn.Conv2d(16, 8, (3, 3), (1, 1), (1, 1))
        self.conv4 = nn.Conv2d(8, upscale_factor ** 2, (3, 3), (1, 1), (1, 1))
        self.pixel_shuffle = nn.PixelShuffle(upscale_factor)
        self._initialize_weights()

    def forward(self, x):
        x = self.relu(self.conv1(x))
        x = self.relu(self.conv2(x))
        x = self.relu(self.conv3(x))
        x = self.pixel_shuffle(self.conv4(x))
        return x

    def _initialize_weights(self):
        init.orthogonal_(self.conv1.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv2.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv3.weight, init.calculate_gain('relu'))
        init.orthogonal_(self.conv4.weight)


def get_set(n, seed):
    hr, _ = images(n, side=16, seed=seed)                   # the high-resolution targets
    lr = F.interpolate(hr, scale_factor=0.5, mode='bilinear', align_corners=False)  # their inputs
    return TensorDataset(lr, hr)


training_data_loader = DataLoader(dataset=get_set(16, 41), batch_size=4, shuffle=False)
testing_data_loader = DataLoader(dataset=get_set(8, 42), batch_size=4, shuffle=False)

print('===> Building model')
model = Net(upscale_factor=upscale_factor).to(device)
w = model.conv1.weight.view(16, -1)
print(torch.allclose(w @ w.T, 2 * torch.eye(16), atol=1e-4))
fix_params(model)
print(model)
criterion = nn.MSELoss()
optimizer = optim.Adam(model.parameters(), lr=0.01)


def train(epoch):
    epoch_loss = 0
    for iteration, batch in enumerate(training_data_loader, 1):
        input, target = batch[0].to(device), batch[1].to(device)
        optimizer.zero_grad()
        loss = criterion(model(input), target)
        epoch_loss += loss.item()
        loss.backward()
        optimizer.step()
        print("===> Epoch[{}]({}/{}): Loss: {:.4f}".format(epoch, iteration, len(training_data_loader), loss.item()))
    print("===> Epoch {} Complete: Avg. Loss: {:.4f}".format(epoch, epoch_loss / len(training_data_loader)))


def test():
    avg_psnr = 0
    with torch.no_grad():
        for batch in testing_data_loader:
            input, target = batch[0].to(device), batch[1].to(device)
            prediction = model(input)
            mse = criterion(prediction, target)
            psnr = 10 * log10(1 / mse.item())
            avg_psnr += psnr
    print("===> Avg. PSNR: {:.4f} dB".format(avg_psnr / len(testing_data_loader)))


for epoch in range(1, 3):
    train(epoch)
    test()

# super_resolve.py: one image through the model
img = get_set(1, 43)[0][0].unsqueeze(0)
out = model(img)
out_img_y = out[0].detach().numpy()
out_img_y *= 255.0
out_img_y = out_img_y.clip(0, 255)
print(img.shape, out.shape, round(float(out_img_y.mean()), 3))
print(F.pixel_unshuffle(out, 2).shape, torch.equal(F.pixel_shuffle(F.pixel_unshuffle(out, 2), 2), out))
