"""NLP from scratch, classifying names with a character-level RNN: one-hot letters, an RNN cell written as two
Linear layers, LogSoftmax, manual SGD with p.data.add_(p.grad, alpha=-lr), topk for the guess."""
import string

import torch
import torch.nn as nn

from _fixed import fix_params

all_letters = string.ascii_letters + " .,;'"
n_letters = len(all_letters)
category_lines = {"English": ["smith", "jones", "taylor", "brown"], "Italian": ["rossi", "russo", "ferrari", "bianchi"],
                  "Japanese": ["sato", "suzuki", "takahashi", "tanaka"]}
all_categories = list(category_lines)
n_categories = len(all_categories)


def letterToIndex(letter):
    return all_letters.find(letter)


def lineToTensor(line):
    tensor = torch.zeros(len(line), 1, n_letters)
    for li, letter in enumerate(line):
        tensor[li][0][letterToIndex(letter)] = 1
    return tensor


print(lineToTensor('Jones').size(), lineToTensor('J').sum())


class RNN(nn.Module):
    def __init__(self, input_size, hidden_size, output_size):
        super(RNN, self).__init__()
        self.hidden_size = hidden_size
        self.i2h = nn.Linear(input_size, hidden_size)
        self.h2h = nn.Linear(hidden_size, hidden_size)
        self.h2o = nn.Linear(hidden_size, output_size)
        self.softmax = nn.LogSoftmax(dim=1)

    def forward(self, input, hidden):
        hidden = torch.tanh(self.i2h(input) + self.h2h(hidden))
        output = self.h2o(hidden)
        output = self.softmax(output)
        return output, hidden

    def initHidden(self):
        return torch.zeros(1, self.hidden_size)


n_hidden = 32
rnn = fix_params(RNN(n_letters, n_hidden, n_categories))


def categoryFromOutput(output):
    top_n, top_i = output.topk(1)
    category_i = top_i[0].item()
    return all_categories[category_i], category_i


criterion = nn.NLLLoss()
learning_rate = 0.01


def train(category_tensor, line_tensor):
    hidden = rnn.initHidden()
    rnn.zero_grad()
    for i in range(line_tensor.size()[0]):
        output, hidden = rnn(line_tensor[i], hidden)
    loss = criterion(output, category_tensor)
    loss.backward()
    for p in rnn.parameters():
        p.data.add_(p.grad.data, alpha=-learning_rate)
    return output, loss.item()


current_loss = 0
for it in range(1, 121):
    category = all_categories[it % n_categories]
    line = category_lines[category][(it // n_categories) % 4]
    category_tensor = torch.tensor([all_categories.index(category)], dtype=torch.long)
    output, loss = train(category_tensor, lineToTensor(line))
    current_loss += loss
    if it % 40 == 0:
        guess, guess_i = categoryFromOutput(output)
        print(it, current_loss / 40, guess_i, '✓' if guess == category else '✗ (%s)' % category)
        current_loss = 0


def evaluate(line_tensor):
    hidden = rnn.initHidden()
    for i in range(line_tensor.size()[0]):
        output, hidden = rnn(line_tensor[i], hidden)
    return output


with torch.no_grad():
    output = evaluate(lineToTensor('satou'))
    topv, topi = output.topk(2, 1, True)
    print(topv, topi)
