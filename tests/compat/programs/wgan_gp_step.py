"""WGAN-GP as the popular implementations write it: a critic without sigmoid (Conv2d + LeakyReLU +
LayerNorm-free), the gradient penalty from torch.autograd.grad(create_graph=True, retain_graph=True,
grad_outputs=ones) on interpolates between real and fake images, n_critic critic steps per generator
step, RMSprop/Adam with betas (0, 0.9), Wasserstein estimates; the interpolation weights come from NumPy."""
import numpy as np
import torch
import torch.nn as nn
import torch.autograd as autograd

from _fixed import fix_params, images, rand, randn

latent_dim, img_shape = 6, (1, 8, 8)
lambda_gp, n_critic = 10, 2
cuda = True if torch.cuda.is_available() else False
Tensor = torch.cuda.FloatTensor if cuda else torch.FloatTensor


class Generator(nn.Module):
    def __init__(self):
        super(Generator, self).__init__()

        def block(in_feat, out_feat, normalize=True):
            layers = [nn.Linear(in_feat, out_feat)]
            if normalize:
                layers.append(nn.BatchNorm1d(out_feat, 0.8))
            layers.append(nn.LeakyReLU(0.2, inplace=True))
            return layers

        self.model = nn.Sequential(
            *block(latent_dim, 16, normalize=False),
            *block(16, 32),
            nn.Linear(32, int(np.prod(img_shape))),
            nn.Tanh()
        )

    def forward(self, z):
        img = self.model(z)
        img = img.view(img.shape[0], *img_shape)
        return img


class Discriminator(nn.Module):
    def __init__(self):
        super(Discriminator, self).__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 4, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(4, 8, 3, 2, 1), nn.LeakyReLU(0.2, inplace=True))
        self.model = nn.Sequential(nn.Linear(8 * 2 * 2, 16), nn.LeakyReLU(0.2, inplace=True), nn.Linear(16, 1))

    def forward(self, img):
        img_flat = self.features(img).view(img.shape[0], -1)
        validity = self.model(img_flat)
        return validity


generator = fix_params(Generator(), seed=1)
discriminator = fix_params(Discriminator(), seed=2)
if cuda:
    generator.cuda()
    discriminator.cuda()
optimizer_G = torch.optim.Adam(generator.parameters(), lr=0.0002, betas=(0.0, 0.9))
optimizer_D = torch.optim.Adam(discriminator.parameters(), lr=0.0002, betas=(0.0, 0.9))
real_all, _ = images(16, side=8, seed=6)
dataloader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(real_all * 2 - 1), batch_size=4)


def compute_gradient_penalty(D, real_samples, fake_samples, step):
    """Calculates the gradient penalty loss for WGAN GP"""
    # Random weight term for interpolation between real and fake samples
    alpha = rand(real_samples.size(0), 1, 1, 1, seed=500 + step).type(Tensor)  # Tensor(np.random.random(...))
    # Get random interpolation between real and fake samples
    interpolates = (alpha * real_samples + ((1 - alpha) * fake_samples)).requires_grad_(True)
    d_interpolates = D(interpolates)
    fake = Tensor(real_samples.shape[0], 1).fill_(1.0).requires_grad_(False)
    # Get gradient w.r.t. interpolates
    gradients = autograd.grad(
        outputs=d_interpolates,
        inputs=interpolates,
        grad_outputs=fake,
        create_graph=True,
        retain_graph=True,
        only_inputs=True,
    )[0]
    gradients = gradients.view(gradients.size(0), -1)
    gradient_penalty = ((gradients.norm(2, dim=1) - 1) ** 2).mean()
    return gradient_penalty


batches_done = 0
for epoch in range(2):
    for i, (imgs,) in enumerate(dataloader):
        real_imgs = imgs.type(Tensor)
        optimizer_D.zero_grad()
        z = randn(imgs.shape[0], latent_dim, seed=1000 + batches_done).type(Tensor)
        fake_imgs = generator(z)
        real_validity = discriminator(real_imgs)
        fake_validity = discriminator(fake_imgs)
        gradient_penalty = compute_gradient_penalty(discriminator, real_imgs.data, fake_imgs.data, batches_done)
        d_loss = -torch.mean(real_validity) + torch.mean(fake_validity) + lambda_gp * gradient_penalty
        d_loss.backward()
        optimizer_D.step()
        optimizer_G.zero_grad()
        # Train the generator every n_critic steps
        if i % n_critic == 0:
            fake_imgs = generator(z)
            fake_validity = discriminator(fake_imgs)
            g_loss = -torch.mean(fake_validity)
            g_loss.backward()
            optimizer_G.step()
            print("[Epoch %d] [Batch %d/%d] [D loss: %f] [G loss: %f] [GP: %f]"
                  % (epoch, i, len(dataloader), d_loss.item(), g_loss.item(), gradient_penalty.item()))
        batches_done += 1
print(discriminator.model[2].weight.grad.norm(), generator.model[3].running_mean[:3])
