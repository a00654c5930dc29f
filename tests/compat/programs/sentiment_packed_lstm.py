"""A sentiment-analysis notebook in the style of the popular "packed padded sequences" tutorials:
vocabulary building, Embedding with padding_idx, a 2-layer bidirectional LSTM over pack_padded_sequence,
the final forward and backward hidden states concatenated, dropout, BCEWithLogitsLoss, binary accuracy,
train/evaluate loops, and predict_sentiment on new text."""
import numpy as np
import torch
import torch.nn as nn
import torch.optim as optim
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence, pad_sequence

from _fixed import fix_params

POS = "good great fun love wonderful best enjoyed superb".split()
NEG = "bad awful boring hate terrible worst dull poor".split()
FILL = "the movie was a plot film actors it this and".split()


def make_reviews(n, seed):
    g = np.random.default_rng(seed)
    data = []
    for _ in range(n):
        label = int(g.integers(0, 2))
        words = list(g.choice(FILL, int(g.integers(2, 7))))
        for _ in range(int(g.integers(1, 3))):
            words.insert(int(g.integers(0, len(words) + 1)), str(g.choice(POS if label else NEG)))
        data.append((words, float(label)))
    return data


train_data, test_data = make_reviews(48, 1), make_reviews(16, 2)
itos = ['<unk>', '<pad>'] + sorted({w for words, _ in train_data for w in words})
stoi = {w: i for i, w in enumerate(itos)}
PAD_IDX, UNK_IDX = stoi['<pad>'], stoi['<unk>']


def iterator(data, batch_size):
    for i in range(0, len(data), batch_size):
        batch = data[i:i + batch_size]
        text = [torch.tensor([stoi.get(w, UNK_IDX) for w in words]) for words, _ in batch]
        lengths = torch.tensor([len(t) for t in text])
        yield pad_sequence(text, padding_value=PAD_IDX), lengths, torch.tensor([label for _, label in batch])


class RNN(nn.Module):
    def __init__(self, vocab_size, embedding_dim, hidden_dim, output_dim, n_layers, bidirectional, dropout,
                 pad_idx):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_idx)
        self.rnn = nn.LSTM(embedding_dim, hidden_dim, num_layers=n_layers, bidirectional=bidirectional,
                           dropout=dropout)
        self.fc = nn.Linear(hidden_dim * 2, output_dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, text, text_lengths):
        # text = [sent len, batch size]
        embedded = self.dropout(self.embedding(text))
        # pack sequence; lengths need to be on CPU
        packed_embedded = pack_padded_sequence(embedded, text_lengths.to('cpu'), enforce_sorted=False)
        packed_output, (hidden, cell) = self.rnn(packed_embedded)
        # unpack sequence
        output, output_lengths = pad_packed_sequence(packed_output)
        # output = [sent len, batch size, hid dim * num directions], padding tokens are zeros
        # hidden = [num layers * num directions, batch size, hid dim]
        hidden = self.dropout(torch.cat((hidden[-2, :, :], hidden[-1, :, :]), dim=1))
        return self.fc(hidden)


INPUT_DIM = len(itos)
model = RNN(INPUT_DIM, 8, 6, 1, 2, True, 0.0, PAD_IDX)
fix_params(model)
model.embedding.weight.data[PAD_IDX] = torch.zeros(8)
model.embedding.weight.data[UNK_IDX] = torch.zeros(8)


def count_parameters(model):
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


print(f'The model has {count_parameters(model):,} trainable parameters')
optimizer = optim.Adam(model.parameters(), lr=0.02)
criterion = nn.BCEWithLogitsLoss()


def binary_accuracy(preds, y):
    rounded_preds = torch.round(torch.sigmoid(preds))
    correct = (rounded_preds == y).float()
    return correct.sum() / len(correct)


def train(model, iterator, optimizer, criterion):
    epoch_loss = 0
    epoch_acc = 0
    n = 0
    model.train()
    for text, text_lengths, label in iterator:
        optimizer.zero_grad()
        predictions = model(text, text_lengths).squeeze(1)
        loss = criterion(predictions, label)
        acc = binary_accuracy(predictions, label)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
        epoch_acc += acc.item()
        n += 1
    return epoch_loss / n, epoch_acc / n


def evaluate(model, iterator, criterion):
    epoch_loss = 0
    epoch_acc = 0
    n = 0
    model.eval()
    with torch.no_grad():
        for text, text_lengths, label in iterator:
            predictions = model(text, text_lengths).squeeze(1)
            epoch_loss += criterion(predictions, label).item()
            epoch_acc += binary_accuracy(predictions, label).item()
            n += 1
    return epoch_loss / n, epoch_acc / n


for epoch in range(4):
    train_loss, train_acc = train(model, iterator(train_data, 8), optimizer, criterion)
    valid_loss, valid_acc = evaluate(model, iterator(test_data, 8), criterion)
    print(f'Epoch: {epoch + 1:02}')
    print(f'\tTrain Loss: {train_loss:.3f} | Train Acc: {train_acc * 100:.2f}%')
    print(f'\t Val. Loss: {valid_loss:.3f} |  Val. Acc: {valid_acc * 100:.2f}%')


def predict_sentiment(model, sentence):
    model.eval()
    indexed = [stoi.get(t, UNK_IDX) for t in sentence.split()]
    length = [len(indexed)]
    tensor = torch.LongTensor(indexed).to('cpu')
    tensor = tensor.unsqueeze(1)
    length_tensor = torch.LongTensor(length)
    prediction = torch.sigmoid(model(tensor, length_tensor))
    return prediction.item()


print(round(predict_sentiment(model, "this film is terrible"), 4))
print(round(predict_sentiment(model, "this film is great"), 4))
print(model.embedding.weight.grad[PAD_IDX].abs().sum())
