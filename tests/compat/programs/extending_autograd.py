"""Extending PyTorch / custom Function tutorials: LinearFunction with ctx.needs_input_grad and a Module
around it, MulConstant with a non-tensor argument, the setup_context style, a Function whose backward is
differentiable (double backward through a custom exp), gradcheck in float64, clamping with a
straight-through estimator, a two-output Function with mark_non_differentiable, and autograd.grad with
create_graph."""
import torch
import torch.nn as nn
from torch.autograd import Function, gradcheck

from _fixed import fix_params, randn


class LinearFunction(Function):
    @staticmethod
    def forward(ctx, input, weight, bias=None):
        ctx.save_for_backward(input, weight, bias)
        output = input.mm(weight.t())
        if bias is not None:
            output += bias.unsqueeze(0).expand_as(output)
        return output

    @staticmethod
    def backward(ctx, grad_output):
        input, weight, bias = ctx.saved_tensors
        grad_input = grad_weight = grad_bias = None
        if ctx.needs_input_grad[0]:
            grad_input = grad_output.mm(weight)
        if ctx.needs_input_grad[1]:
            grad_weight = grad_output.t().mm(input)
        if bias is not None and ctx.needs_input_grad[2]:
            grad_bias = grad_output.sum(0)
        return grad_input, grad_weight, grad_bias


linear = LinearFunction.apply


class Linear(nn.Module):
    def __init__(self, input_features, output_features, bias=True):
        super().__init__()
        self.input_features = input_features
        self.output_features = output_features
        self.weight = nn.Parameter(torch.empty(output_features, input_features))
        if bias:
            self.bias = nn.Parameter(torch.empty(output_features))
        else:
            self.register_parameter('bias', None)
        nn.init.uniform_(self.weight, -0.1, 0.1)
        if self.bias is not None:
            nn.init.uniform_(self.bias, -0.1, 0.1)

    def forward(self, input):
        return LinearFunction.apply(input, self.weight, self.bias)

    def extra_repr(self):
        return 'input_features={}, output_features={}, bias={}'.format(
            self.input_features, self.output_features, self.bias is not None)


model = fix_params(nn.Sequential(Linear(4, 5), nn.Tanh(), Linear(5, 2, bias=False)))
print(model)
x, y = randn(6, 4, seed=1), randn(6, 2, seed=2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(3):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    print(step, round(loss.item(), 6))
print(model[0].weight.grad.sum(), model[2].bias)

x0 = torch.zeros(3, 4, dtype=torch.double, requires_grad=True)
inp = (x0 + randn(3, 4, seed=3).double(),  # an input computed from a leaf: the checks stop at it
       randn(2, 4, seed=4).double().requires_grad_(), randn(2, seed=5).double().requires_grad_())
print(gradcheck(linear, inp, eps=1e-6, atol=1e-4))


class MulConstant(Function):
    @staticmethod
    def forward(ctx, tensor, constant):
        ctx.constant = constant
        return tensor * constant

    @staticmethod
    def backward(ctx, grad_output):
        # gradients for each input: the constant gets None
        return grad_output * ctx.constant, None


a = randn(3, seed=6).requires_grad_()
MulConstant.apply(a, 5.5).sum().backward()
print(a.grad)


class MulConstantSetup(Function):
    @staticmethod
    def forward(tensor, constant):
        return tensor * constant

    @staticmethod
    def setup_context(ctx, inputs, output):
        tensor, constant = inputs
        ctx.constant = constant

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.constant, None


b = randn(3, seed=6).requires_grad_()
MulConstantSetup.apply(b, -2.0).pow(2).sum().backward()
print(b.grad)


class Exp(Function):
    @staticmethod
    def forward(ctx, i):
        result = i.exp()
        ctx.save_for_backward(result)
        return result

    @staticmethod
    def backward(ctx, grad_output):
        result, = ctx.saved_tensors
        return grad_output * result


c = torch.tensor([0.5, -1.0], requires_grad=True)
out = Exp.apply(c)
g, = torch.autograd.grad(out.sum(), c, create_graph=True)
g2, = torch.autograd.grad(g.sum(), c)
print(out, g, g2)


class StraightThroughClamp(Function):
    @staticmethod
    def forward(ctx, input):
        return input.clamp(-1, 1)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.clone()


d = torch.tensor([-3.0, 0.5, 2.0], requires_grad=True)
(StraightThroughClamp.apply(d) * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
print(d.grad, d.grad.requires_grad)


class Cube(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x ** 3

    @staticmethod
    def backward(ctx, grad_out):
        x, = ctx.saved_tensors
        return grad_out * 3 * x ** 2


class SortWithIndices(Function):
    @staticmethod
    def forward(ctx, x):
        sorted, idx = x.sort()
        ctx.mark_non_differentiable(idx)
        ctx.save_for_backward(idx)
        return sorted, idx

    @staticmethod
    def backward(ctx, g1, g2):  # still need to accept g2
        idx, = ctx.saved_tensors
        grad_input = torch.zeros_like(g1)
        grad_input.index_add_(0, idx, g1)
        return grad_input


s = randn(5, seed=8).requires_grad_()
values, order = SortWithIndices.apply(s * 2)
(values * torch.arange(5.)).sum().backward()
print(values, order, order.requires_grad, s.grad)

e = randn(4, seed=7).double().requires_grad_()
print(gradcheck(Cube.apply, (e,)), torch.autograd.gradgradcheck(Cube.apply, (e,)))
f = torch.tensor(2.0, requires_grad=True)
y = Cube.apply(f)
dy, = torch.autograd.grad(y, f, create_graph=True)
d2y, = torch.autograd.grad(dy, f)
print(y.item(), dy.item(), d2y.item(), y.grad_fn is not None, type(y.grad_fn).__name__)
