"""The tensor vocabulary of the basics: creation, attributes, indexing, joins, in-place ops, NumPy bridge."""
import numpy as np
import torch

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
x_np = torch.from_numpy(np.array(data))
x_ones = torch.ones_like(x_data)
x_rand = torch.rand_like(x_data, dtype=torch.float)
shape = (2, 3,)
print(torch.rand(shape).shape, torch.ones(shape).dtype, torch.zeros(shape).device)
tensor = torch.ones(4, 4)
print(f"First row: {tensor[0]}")
print(f"First column: {tensor[:, 0]}")
print(f"Last column: {tensor[..., -1]}")
tensor[:, 1] = 0
t1 = torch.cat([tensor, tensor, tensor], dim=1)
y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)
z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)
agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
tensor.add_(5)
t = torch.ones(5)
n = t.numpy()
t.add_(1)
print(n)
n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(t)
print(x_data.size(), x_data.size().numel(), x_data.size(0), torch.Size([2, 3]))
print(torch.matmul(input=tensor, other=tensor).sum(axis=0))
print(f"{agg:.3f}", torch.LongTensor([1, 2]).dtype, torch.FloatTensor([1, 2]).dtype)
print(torch.normal(0.0, 1.0, size=(2, 2)).shape, torch.normal(torch.zeros(3), torch.ones(3)).shape)
v = torch.autograd.Variable(torch.ones(2), requires_grad=True)
(v * 2).sum().backward()
print(v.grad, torch.backends.mps.is_available(), torch.cuda.is_available())
torch.set_default_device("cpu")
print((torch.tensor([1, 2]) * 1.5).dtype, (torch.ones(2) ** torch.tensor([2, 3])).dtype)
print(x_data.permute(1, 0).contiguous().view(4).tolist(), x_data.clone().detach().reshape(-1).tolist())


@torch.no_grad()
def doubled(z):
    return z * 2


print(doubled(torch.ones(2, requires_grad=True)).requires_grad)
print("final loss: 0")
