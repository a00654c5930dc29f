"""Learn the Basics, build the neural network: layers one by one, Softmax, named_parameters."""
import torch
from torch import nn

from _fixed import fix_params, rand


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(28 * 28, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                                               nn.Linear(16, 10))

    def forward(self, x):
        return self.linear_relu_stack(self.flatten(x))


model = fix_params(NeuralNetwork())
print(model)
X = rand(1, 28, 28, seed=2)
logits = model(X)
pred_probab = nn.Softmax(dim=1)(logits)
y_pred = pred_probab.argmax(1)
print(f"Predicted class: {y_pred}", pred_probab)

input_image = rand(3, 28, 28, seed=3)
print(input_image.size())
flat_image = nn.Flatten()(input_image)
print(flat_image.size())
layer1 = fix_params(nn.Linear(in_features=28 * 28, out_features=20))
hidden1 = layer1(flat_image)
print(hidden1.size())
print(f"Before ReLU: {hidden1}\n\n")
hidden1 = nn.ReLU()(hidden1)
print(f"After ReLU: {hidden1}")
seq_modules = nn.Sequential(nn.Flatten(), layer1, nn.ReLU(), fix_params(nn.Linear(20, 10)))
logits = seq_modules(input_image)
softmax = nn.Softmax(dim=1)
print(softmax(logits))

for name, param in model.named_parameters():
    print(f"Layer: {name} | Size: {param.size()} | Values : {param[:2]} \n")
