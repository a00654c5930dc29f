"""d2l 10.7: sequence to sequence: a GRU encoder (embedding, two layers), a decoder fed the context, sequence_mask,
the masked softmax cross-entropy loss, teacher forcing and gradient clipping."""
import torch
from torch import nn

from _fixed import fix_params, randint


class Seq2SeqEncoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super(Seq2SeqEncoder, self).__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size, num_hiddens, num_layers, dropout=dropout)

    def forward(self, X, *args):
        X = self.embedding(X)
        X = X.permute(1, 0, 2)
        output, state = self.rnn(X)
        return output, state


class Seq2SeqDecoder(nn.Module):
    def __init__(self, vocab_size, embed_size, num_hiddens, num_layers, dropout=0, **kwargs):
        super(Seq2SeqDecoder, self).__init__(**kwargs)
        self.embedding = nn.Embedding(vocab_size, embed_size)
        self.rnn = nn.GRU(embed_size + num_hiddens, num_hiddens, num_layers, dropout=dropout)
        self.dense = nn.Linear(num_hiddens, vocab_size)

    def init_state(self, enc_outputs, *args):
        return enc_outputs[1]

    def forward(self, X, state):
        X = self.embedding(X).permute(1, 0, 2)
        context = state[-1].repeat(X.shape[0], 1, 1)
        X_and_context = torch.cat((X, context), 2)
        output, state = self.rnn(X_and_context, state)
        output = self.dense(output).permute(1, 0, 2)
        return output, state


class EncoderDecoder(nn.Module):
    def __init__(self, encoder, decoder, **kwargs):
        super(EncoderDecoder, self).__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, enc_X, dec_X, *args):
        enc_outputs = self.encoder(enc_X, *args)
        dec_state = self.decoder.init_state(enc_outputs, *args)
        return self.decoder(dec_X, dec_state)


encoder = fix_params(Seq2SeqEncoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2))
encoder.eval()
X = torch.zeros((4, 7), dtype=torch.long)
output, state = encoder(X)
print(output.shape, state.shape)
decoder = fix_params(Seq2SeqDecoder(vocab_size=10, embed_size=8, num_hiddens=16, num_layers=2))
decoder.eval()
state = decoder.init_state(encoder(X))
output, state = decoder(X, state)
print(output.shape, state.shape)


def sequence_mask(X, valid_len, value=0):
    maxlen = X.size(1)
    mask = torch.arange((maxlen), dtype=torch.float32, device=X.device)[None, :] < valid_len[:, None]
    X[~mask] = value
    return X


X = torch.tensor([[1, 2, 3], [4, 5, 6]])
print(sequence_mask(X, torch.tensor([1, 2])))
X = torch.ones(2, 3, 4)
print(sequence_mask(X, torch.tensor([1, 2]), value=-1))


class MaskedSoftmaxCELoss(nn.CrossEntropyLoss):
    def forward(self, pred, label, valid_len):
        weights = torch.ones_like(label)
        weights = sequence_mask(weights, valid_len)
        self.reduction = 'none'
        unweighted_loss = super(MaskedSoftmaxCELoss, self).forward(pred.permute(0, 2, 1), label)
        weighted_loss = (unweighted_loss * weights).mean(dim=1)
        return weighted_loss


loss = MaskedSoftmaxCELoss()
print(loss(torch.ones(3, 4, 10), torch.ones((3, 4), dtype=torch.long), torch.tensor([4, 2, 0])))


def grad_clipping(net, theta):
    params = [p for p in net.parameters() if p.requires_grad]
    norm = torch.sqrt(sum(torch.sum((p.grad ** 2)) for p in params))
    if norm > theta:
        for param in params:
            param.grad[:] *= theta / norm


net = EncoderDecoder(fix_params(Seq2SeqEncoder(12, 8, 16, 2), seed=1), fix_params(Seq2SeqDecoder(12, 8, 16, 2), seed=2))
optimizer = torch.optim.Adam(net.parameters(), lr=0.005)
src, tgt = randint(12, (8, 6), seed=3), randint(12, (8, 6), seed=4)
valid_len = torch.tensor([6, 5, 4, 6, 3, 6, 2, 5])
bos = 1
net.train()
for epoch in range(5):
    optimizer.zero_grad()
    dec_input = torch.cat([torch.tensor([bos] * tgt.shape[0]).reshape(-1, 1), tgt[:, :-1]], 1)
    Y_hat, _ = net(src, dec_input, valid_len)
    l = loss(Y_hat, tgt, valid_len)
    l.sum().backward()
    grad_clipping(net, 1)
    num_tokens = valid_len.sum()
    optimizer.step()
    print(f'epoch {epoch + 1}, loss {l.sum().item() / num_tokens.item():.4f}')
