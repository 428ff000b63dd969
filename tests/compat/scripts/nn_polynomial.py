"""The cubic fit with nn.Sequential, MSELoss(reduction='sum') and an optimizer, then as a custom Module."""
import math

import torch
from torch import nn

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
with torch.no_grad():
    model[0].weight.copy_(torch.tensor([[0.1, -0.05, 0.02]]))
    model[0].bias.fill_(0.01)
loss_fn = torch.nn.MSELoss(reduction="sum")

learning_rate = 1e-6
for _ in range(1000):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
linear_layer = model[0]
print(f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
      f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")

optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for _ in range(500):
    loss = loss_fn(model(xx), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print("after RMSprop", loss.item())


class Polynomial3(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Parameter(torch.tensor(0.1))
        self.b = nn.Parameter(torch.tensor(-0.1))
        self.c = nn.Parameter(torch.tensor(0.02))
        self.d = nn.Parameter(torch.tensor(0.01))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"


poly = Polynomial3()
criterion = torch.nn.MSELoss(reduction="sum")
optimizer = torch.optim.SGD(poly.parameters(), lr=1e-6, momentum=0.9)
for _ in range(500):
    loss = criterion(poly(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(f"Result: {poly.string()}")
print(f"final loss: {loss.item():.10e}")
