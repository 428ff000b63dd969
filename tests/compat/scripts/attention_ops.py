"""A one-head causal self-attention sequence classifier trained by hand: chunk, bmm, triu + masked_fill,
einsum, gather (d2l's cross-entropy), topk accuracy, cumsum, % and // on index tensors."""
import torch

B, T, D, C = 8, 5, 6, 3
dtype = torch.float
steps = torch.arange(B * T * D, dtype=dtype)
x = torch.sin(steps * 0.37).reshape(B, T, D)
labels = (torch.arange(B) * 7 + 3) % C  # integer remainder
rows = torch.arange(B * T) // T  # integer floor division: the sequence of each position
assert rows.tolist() == torch.arange(B).repeat_interleave(T).tolist()

w_qkv = (torch.cos(torch.arange(D * 3 * D, dtype=dtype) * 1.3) * 0.3).reshape(D, 3 * D).requires_grad_()
w_out = (torch.sin(torch.arange(D * C, dtype=dtype) * 0.7) * 0.3).reshape(D, C).requires_grad_()
causal = torch.triu(torch.ones(T, T, dtype=torch.bool), diagonal=1)


def forward(x):
    q, k, v = (x @ w_qkv).chunk(3, dim=-1)
    scores = torch.bmm(q, k.transpose(1, 2)) / D ** 0.5
    weights = scores.masked_fill(causal, float("-inf")).softmax(dim=-1)
    context = torch.einsum("btu,bud->btd", weights, v)
    pooled = context.cumsum(dim=1)[:, -1] / T
    return pooled @ w_out


def cross_entropy(logits, y):
    log_probs = logits.log_softmax(dim=1)
    return -log_probs.gather(1, y.view(-1, 1)).mean()


learning_rate = 0.5
for _ in range(60):
    logits = forward(x)
    loss = cross_entropy(logits, labels)
    loss.backward()
    with torch.no_grad():
        for w in (w_qkv, w_out):
            w -= learning_rate * w.grad
            w.grad.zero_()
top2 = logits.topk(2, dim=1).indices
hits = (top2 == labels.unsqueeze(1)).any(dim=1)
values, order = logits.sort(dim=1, descending=True)
print("top-2 accuracy:", hits.float().mean().item(), "best classes:", order[:, 0].tolist())
print(f"final loss: {loss.item():.10e}")
