"""The "Learn the Basics" loop on synthetic data: Dataset, DataLoader, the device idiom, train/test, save/load."""
import math
import os
import sys
import tempfile

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split


class Blobs(Dataset):
    """Four classes of 2-D points on a grid (no randomness: both libraries see the same samples)."""

    def __init__(self, n):
        i = torch.arange(n, dtype=torch.float32)
        self.features = torch.stack([torch.sin(i * 0.37) * 3, torch.cos(i * 0.91) * 3], dim=1)
        self.labels = ((self.features[:, 0] > 0).long() * 2 + (self.features[:, 1] > 0).long())

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.features[idx].reshape(1, 2), self.labels[idx]


training_data, test_data = Blobs(600), Blobs(200)
train_dataloader = DataLoader(training_data, batch_size=64)
test_dataloader = DataLoader(test_data, batch_size=64)
for X, y in test_dataloader:
    print(f"Shape of X [N, C, H, W]: {X.shape}")
    print(f"Shape of y: {y.shape} {y.dtype}")
    break

device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")


class NeuralNetwork(nn.Module):
    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(),
                                               nn.Linear(16, 4))

    def forward(self, x):
        x = self.flatten(x)
        return self.linear_relu_stack(x)


model = NeuralNetwork().to(device)
with torch.no_grad():
    for k, param in enumerate(model.parameters()):
        n = param.numel()
        param.copy_((torch.sin(torch.arange(n, dtype=torch.float32) * (0.7 + k)) * 0.5).reshape(param.shape))
print(model)

loss_fn = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)


def train(dataloader, model, loss_fn, optimizer):
    size = len(dataloader.dataset)
    model.train()
    for batch, (X, y) in enumerate(dataloader):
        X, y = X.to(device), y.to(device)
        pred = model(X)
        loss = loss_fn(pred, y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if batch % 5 == 0:
            loss, current = loss.item(), (batch + 1) * len(X)
            print(f"loss: {loss:>7f}  [{current:>5d}/{size:>5d}]")


def test(dataloader, model, loss_fn):
    size = len(dataloader.dataset)
    num_batches = len(dataloader)
    model.eval()
    test_loss, correct = 0, 0
    with torch.no_grad():
        for X, y in dataloader:
            X, y = X.to(device), y.to(device)
            pred = model(X)
            test_loss += loss_fn(pred, y).item()
            correct += (pred.argmax(1) == y).type(torch.float).sum().item()
    test_loss /= num_batches
    correct /= size
    print(f"Test Error: \n Accuracy: {(100 * correct):>0.1f}%, Avg loss: {test_loss:>8f} \n")
    return test_loss


epochs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
for t in range(epochs):
    print(f"Epoch {t + 1}\n-------------------------------")
    train(train_dataloader, model, loss_fn, optimizer)
    final = test(test_dataloader, model, loss_fn)

path = os.path.join(tempfile.mkdtemp(), "model.pth")
torch.save(model.state_dict(), path)
model = NeuralNetwork().to(device)
model.load_state_dict(torch.load(path, weights_only=True))
model.eval()
with torch.no_grad():
    x, y = test_data[0][0], test_data[0][1]
    pred = model(x.to(device))
    print(f'Predicted: "{pred[0].argmax(0)}", Actual: "{y}"')
    assert math.isclose(test(test_dataloader, model, loss_fn), final, rel_tol=1e-6)

# utils.data on raw tensors: splits and a shuffled loader (orders differ between libraries: not compared)
torch.manual_seed(0)
generator = torch.Generator().manual_seed(42)
train_part, val_part = random_split(TensorDataset(training_data.features, training_data.labels), [0.8, 0.2],
                                    generator=generator)
loader = DataLoader(train_part, batch_size=32, shuffle=True, drop_last=True, num_workers=0)
print(len(train_part), len(val_part), len(loader), sum(len(yb) for _, yb in loader))
print(f"final loss: {final:.10e}")
