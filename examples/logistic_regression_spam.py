"""Logistic regression on the notes' spam numbers: one neuron, a sigmoid, binary cross-entropy.

The notes' email has features x = (1, 2, 0), the model weights w = (0.2, 0.5, -0.3) and bias b = -0.1:

    z = w.x + b = 0.2 + 1.0 + 0 - 0.1 = 1.1,     p = sigmoid(1.1) ≈ 0.75.

The email is not spam (y = 0), so the loss is -ln(1 - p) = -ln(0.25) ≈ 1.386 (the slide prints 0.2877,
which is -ln(0.75), the loss had the email been spam). For three emails with p = 0.9 (spam), 0.3 (not
spam) and 0.6 (spam) the mean loss is -(ln 0.9 + ln 0.7 + ln 0.6) / 3 ≈ 0.3243.

Then the gradient: for a sigmoid with cross-entropy, dL/dz = p - y, so dL/dw = (p - y) x. netgrad's
autograd finds the same. Finally a logistic regression is trained on synthetic "emails" (two features:
number of links, fraction of capitals) and its straight decision boundary, w1 x1 + w2 x2 + b = 0, is
saved in ``<out>/logistic_regression_spam.png``.

Run it with::

    python examples/logistic_regression_spam.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import math
import os

import numpy as np

import netgrad
from netgrad import nn, optim
from netgrad.training import Trainer


def notes_email() -> None:
    model = nn.Linear(3, 1)
    with netgrad.no_grad():
        model.weight.copy_(netgrad.tensor([[0.2, 0.5, -0.3]]))
        model.bias.copy_(netgrad.tensor([-0.1]))
    x = netgrad.tensor([[1.0, 2.0, 0.0]])
    y = netgrad.tensor([[0.0]])
    z = model(x)
    p = z.sigmoid()
    loss = nn.BCELoss()(p, y)
    print(f"the notes' email: z = {z.item():.4f}, p = sigmoid(z) = {p.item():.4f}")
    print(f"  not spam (y = 0): loss = -ln(1 - p) = {loss.item():.4f}   (-ln 0.25 = {-math.log(0.25):.4f})")
    print(f"  had it been spam (y = 1): -ln p = {nn.BCELoss()(p, netgrad.tensor([[1.0]])).item():.4f}"
          "   (the slide's 0.2877)")
    # the stable way netgrad trains: logits straight into BCEWithLogitsLoss
    loss = nn.BCEWithLogitsLoss()(model(x), y)
    loss.backward()
    expected = (p.item() - 0.0) * np.array([1.0, 2.0, 0.0])
    print(f"  dL/dw by autograd = {np.round(model.weight.grad.numpy()[0], 4)}, "
          f"(p - y) x = {np.round(expected, 4)};  dL/db = {model.bias.grad.item():.4f} = p - y")
    assert np.allclose(model.weight.grad.numpy()[0], expected, atol=1e-6)

    p3 = netgrad.tensor([0.9, 0.3, 0.6])
    y3 = netgrad.tensor([1.0, 0.0, 1.0])
    mean_loss = nn.BCELoss()(p3, y3).item()
    by_hand = -(math.log(0.9) + math.log(0.7) + math.log(0.6)) / 3
    print(f"three emails (p = 0.9, 0.3, 0.6; y = 1, 0, 1): mean loss {mean_loss:.4f}  (by hand {by_hand:.4f})")


def make_emails(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Synthetic emails: spam has more links and more capitals."""
    rng = np.random.default_rng(seed)
    spam = rng.random(n) < 0.4
    links = rng.poisson(np.where(spam, 6.0, 1.5)).astype(np.float32)
    capitals = np.clip(rng.normal(np.where(spam, 0.35, 0.12), 0.08), 0, 1).astype(np.float32)
    return np.stack([links, capitals], axis=1), spam.astype(np.float32)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    notes_email()

    netgrad.manual_seed(args.seed)
    X, y = make_emails(400, args.seed)
    mean, std = X.mean(axis=0), X.std(axis=0)
    model = nn.Linear(2, 1)  # logistic regression: one neuron; the sigmoid lives in the loss
    trainer = Trainer(model, nn.BCEWithLogitsLoss(), optim.SGD(model.parameters(), lr=0.5), metrics=["accuracy"])
    history = trainer.fit(((X - mean) / std, y[:, None]), epochs=args.epochs, batch_size=32, verbose=0)
    w = model.weight.detach().numpy()[0] / std  # back to the raw features' units
    b = model.bias.item() - float(w @ mean)
    print(f"trained on 400 synthetic emails: accuracy {history.history['accuracy'][-1] * 100:.1f} %, "
          f"boundary {w[0]:.3f} * links + {w[1]:.3f} * capitals {'-' if b < 0 else '+'} {abs(b):.3f} = 0")

    try:
        from netgrad import viz
        fig = viz.plot_decision_boundary(lambda Z: ((Z - mean) / std) @ model.weight.detach().numpy().T
                                         + model.bias.item(), X, y.astype(np.int64), logits=True,
                                         title="logistic regression: spam (blue) or not (orange)")
    except ImportError as err:
        print(f"picture skipped: {err}")
        return
    ax = fig.axes[0]
    ax.set_xlabel("links")
    ax.set_ylabel("fraction of capitals")
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "logistic_regression_spam.png")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
