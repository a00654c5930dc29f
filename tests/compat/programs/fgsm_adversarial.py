"""Adversarial example generation (FGSM): the gradient of the loss w.r.t. the input, its sign, clamp to [0, 1],
accuracy as epsilon grows."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from _fixed import fix_params, images


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 8, 3, 1)
        self.conv2 = nn.Conv2d(8, 16, 3, 1)
        self.fc1 = nn.Linear(2304, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        return F.log_softmax(self.fc2(x), dim=1)


model = fix_params(Net())
x_train, y_train = images(64, seed=41)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for _ in range(4):
    opt.zero_grad()
    F.nll_loss(model(x_train), y_train).backward()
    opt.step()
model.eval()


def fgsm_attack(image, epsilon, data_grad):
    sign_data_grad = data_grad.sign()
    perturbed_image = image + epsilon * sign_data_grad
    perturbed_image = torch.clamp(perturbed_image, 0, 1)
    return perturbed_image


def test(model, x_test, y_test, epsilon):
    correct = 0
    for i in range(len(x_test)):
        data, target = x_test[i:i + 1], y_test[i:i + 1]
        data.requires_grad = True
        output = model(data)
        init_pred = output.max(1, keepdim=True)[1]
        if init_pred.item() != target.item():
            continue
        loss = F.nll_loss(output, target)
        model.zero_grad()
        loss.backward()
        data_grad = data.grad.data
        perturbed_data = fgsm_attack(data, epsilon, data_grad)
        output = model(perturbed_data)
        final_pred = output.max(1, keepdim=True)[1]
        if final_pred.item() == target.item():
            correct += 1
    final_acc = correct / float(len(x_test))
    print(f"Epsilon: {epsilon}\tTest Accuracy = {correct} / {len(x_test)} = {final_acc}")
    return final_acc


x_test, y_test = images(24, seed=42)
accuracies = [test(model, x_test.clone(), y_test, eps) for eps in [0, .05, .1, .3]]
print(accuracies)
