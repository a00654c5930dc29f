"""The PyTorch "language modeling with nn.Transformer" tutorial, retold small: TransformerModel (Embedding,
sinusoidal PositionalEncoding in a buffer, nn.TransformerEncoder of TransformerEncoderLayers, a Linear
decoder), generate_square_subsequent_mask, batchify/get_batch with bptt, SGD + StepLR with gradient
clipping, evaluate() in eval mode; then nn.MultiheadAttention used directly (weights, padding mask) and a
tiny nn.Transformer encoder-decoder step."""
import math

import torch
from torch import Tensor, nn
from torch.nn import TransformerEncoder, TransformerEncoderLayer

from _fixed import WORDS, fix_params, randint, randn


class TransformerModel(nn.Module):

    def __init__(self, ntoken: int, d_model: int, nhead: int, d_hid: int, nlayers: int, dropout: float = 0.5):
        super().__init__()
        self.model_type = 'Transformer'
        self.pos_encoder = PositionalEncoding(d_model, dropout)
        encoder_layers = TransformerEncoderLayer(d_model, nhead, d_hid, dropout)
        self.transformer_encoder = TransformerEncoder(encoder_layers, nlayers)
        self.embedding = nn.Embedding(ntoken, d_model)
        self.d_model = d_model
        self.linear = nn.Linear(d_model, ntoken)
        self.init_weights()

    def init_weights(self) -> None:
        initrange = 0.1
        self.embedding.weight.data.uniform_(-initrange, initrange)
        self.linear.bias.data.zero_()
        self.linear.weight.data.uniform_(-initrange, initrange)

    def forward(self, src: Tensor, src_mask: Tensor = None) -> Tensor:
        src = self.embedding(src) * math.sqrt(self.d_model)
        src = self.pos_encoder(src)
        if src_mask is None:
            src_mask = nn.Transformer.generate_square_subsequent_mask(len(src)).to(src.device)
        output = self.transformer_encoder(src, src_mask)
        output = self.linear(output)
        return output


class PositionalEncoding(nn.Module):

    def __init__(self, d_model: int, dropout: float = 0.1, max_len: int = 5000):
        super().__init__()
        self.dropout = nn.Dropout(p=dropout)
        position = torch.arange(max_len).unsqueeze(1)
        div_term = torch.exp(torch.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
        pe = torch.zeros(max_len, 1, d_model)
        pe[:, 0, 0::2] = torch.sin(position * div_term)
        pe[:, 0, 1::2] = torch.cos(position * div_term)
        self.register_buffer('pe', pe)

    def forward(self, x: Tensor) -> Tensor:
        """x: Tensor, shape ``[seq_len, batch_size, embedding_dim]``"""
        x = x + self.pe[:x.size(0)]
        return self.dropout(x)


# the corpus: letters of the names, as token ids
text = ' '.join(WORDS)
vocab = sorted(set(text))
stoi = {ch: i for i, ch in enumerate(vocab)}


def data_process(raw_text):
    return torch.tensor([stoi[ch] for ch in raw_text], dtype=torch.long)


train_data = data_process(text[:160])
val_data = data_process(text[160:240])
device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')


def batchify(data: Tensor, bsz: int) -> Tensor:
    """Divides the data into ``bsz`` separate sequences, removing extra elements that wouldn't cleanly fit."""
    seq_len = data.size(0) // bsz
    data = data[:seq_len * bsz]
    data = data.view(bsz, seq_len).t().contiguous()
    return data.to(device)


batch_size = 4
eval_batch_size = 2
train_data = batchify(train_data, batch_size)  # shape ``[seq_len, batch_size]``
val_data = batchify(val_data, eval_batch_size)
print(train_data.shape, val_data.shape)

bptt = 10


def get_batch(source: Tensor, i: int):
    seq_len = min(bptt, len(source) - 1 - i)
    data = source[i:i + seq_len]
    target = source[i + 1:i + 1 + seq_len].reshape(-1)
    return data, target


ntokens = len(vocab)
emsize = 16
d_hid = 32
nlayers = 2
nhead = 2
dropout = 0.0
model = TransformerModel(ntokens, emsize, nhead, d_hid, nlayers, dropout).to(device)
fix_params(model)
print(sum(p.numel() for p in model.parameters()), [n for n, _ in model.named_parameters()][:6])

criterion = nn.CrossEntropyLoss()
lr = 1.0
optimizer = torch.optim.SGD(model.parameters(), lr=lr)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, 1.0, gamma=0.95)


def train(model: nn.Module) -> None:
    model.train()
    total_loss = 0.
    log_interval = 2
    num_batches = len(train_data) // bptt
    for batch, i in enumerate(range(0, train_data.size(0) - 1, bptt)):
        data, targets = get_batch(train_data, i)
        output = model(data)
        output_flat = output.view(-1, ntokens)
        loss = criterion(output_flat, targets)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 0.5)
        optimizer.step()
        total_loss += loss.item()
        if batch % log_interval == 0 and batch > 0:
            lr = scheduler.get_last_lr()[0]
            cur_loss = total_loss / log_interval
            ppl = math.exp(cur_loss)
            print(f'| epoch {epoch:3d} | {batch:5d}/{num_batches:5d} batches | lr {lr:02.2f} | '
                  f'loss {cur_loss:5.2f} | ppl {ppl:8.2f}')
            total_loss = 0


def evaluate(model: nn.Module, eval_data: Tensor) -> float:
    model.eval()
    total_loss = 0.
    with torch.no_grad():
        for i in range(0, eval_data.size(0) - 1, bptt):
            data, targets = get_batch(eval_data, i)
            seq_len = data.size(0)
            output = model(data)
            output_flat = output.view(-1, ntokens)
            total_loss += seq_len * criterion(output_flat, targets).item()
    return total_loss / (len(eval_data) - 1)


for epoch in range(1, 3):
    train(model)
    val_loss = evaluate(model, val_data)
    val_ppl = math.exp(val_loss)
    print(f'| end of epoch {epoch:3d} | valid loss {val_loss:5.2f} | valid ppl {val_ppl:8.2f}')
    scheduler.step()

print(nn.Transformer.generate_square_subsequent_mask(4))

# nn.MultiheadAttention on its own: batch_first, a key padding mask, per-head weights
mha = fix_params(nn.MultiheadAttention(embed_dim=8, num_heads=2, batch_first=True), seed=5)
x = randn(2, 5, 8, seed=6)
padding = torch.tensor([[False, False, False, True, True], [False] * 5])
out, weights = mha(x, x, x, key_padding_mask=padding)
print(out.shape, weights.shape, weights.sum(-1))
print(weights[0, :, 3:].abs().sum(), out[1, 0])
_, per_head = mha(x, x, x, attn_mask=torch.ones(5, 5, dtype=torch.bool).triu(1), average_attn_weights=False)
print(per_head.shape, per_head[0, 1, 1])

# a tiny encoder-decoder nn.Transformer, one training step
transformer = fix_params(nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1,
                                        dim_feedforward=16, dropout=0.0, batch_first=True), seed=7)
src, tgt = randn(2, 6, 8, seed=8), randn(2, 4, 8, seed=9)
tgt_mask = transformer.generate_square_subsequent_mask(4)
out = transformer(src, tgt, tgt_mask=tgt_mask, src_key_padding_mask=torch.tensor([[False] * 5 + [True], [False] * 6]))
loss = out.pow(2).mean()
loss.backward()
print(out.shape, round(loss.item(), 6), transformer.encoder.layers[0].self_attn.in_proj_weight.grad.norm())
print(randint(3, (2,), seed=10))
