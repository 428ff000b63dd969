"""Softmax regression and multi-label classification on the notes' Stack-Exchange numbers.

A Stack-Exchange post is tagged C, Java or Python from three features, x = (1, 2, 0), with the notes'
weights (one row per class) and biases:

    W = [[ 0.2,  0.8, -0.5],      b = [-0.1, 0.2, 0.1]
         [ 0.5, -0.4,  0.3],
         [-0.1,  0.2,  0.7]]

The logits are z = W x + b = (1.7, -0.1, 0.4).

- Multi-class (one tag per post): softmax turns the logits into probabilities that sum to 1; the loss for
  a Python post is -ln p_Python. The prediction is the argmax, of the logits as well as the probabilities.
- Multi-label (any number of tags): one sigmoid per class, each read against 0.5 (logit 0); the loss is the
  sum of one binary cross-entropy per class, -[ln p_C + ln(1 - p_Java) + ln p_Python] for a post tagged
  C and Python.

The script checks the notes' worked examples with ``nn.Linear``, ``nn.CrossEntropyLoss`` and
``nn.BCEWithLogitsLoss``, and draws both sets of probabilities in ``<out>/softmax_and_multilabel.png``.

Run it with::

    python examples/softmax_and_multilabel.py --out netgrad-examples/
"""
from __future__ import annotations

import argparse
import math
import os

import numpy as np

import netgrad
from netgrad import nn

TAGS = ("C", "Java", "Python")
W = [[0.2, 0.8, -0.5], [0.5, -0.4, 0.3], [-0.1, 0.2, 0.7]]
B = [-0.1, 0.2, 0.1]


def tags(row: np.ndarray) -> str:
    return "[" + ", ".join(t for t, on in zip(TAGS, row) if on) + "]"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="netgrad-examples/", help="folder for the picture")
    args = parser.parse_args(argv)

    layer = nn.Linear(3, 3)  # the single-layer network: 3 inputs, one output neuron per class
    with netgrad.no_grad():
        layer.weight.copy_(netgrad.tensor(W))
        layer.bias.copy_(netgrad.tensor(B))
    x = netgrad.tensor([[1.0, 2.0, 0.0]])
    z = layer(x)
    print(f"logits z = Wx + b = {np.round(z.detach().numpy()[0], 4)}  (C, Java, Python)")

    print("\n-- multi-class: softmax + cross-entropy --")
    p = z.softmax(dim=1).detach().numpy()[0]
    loss = nn.CrossEntropyLoss()(z, netgrad.tensor([2]))  # the post is a Python post
    print(f"softmax p = {np.round(p, 4)} (sums to {p.sum():.4f}); predicted: {TAGS[int(p.argmax())]}")
    print(f"loss for a Python post: {loss.item():.4f} = -ln p_Python = {-math.log(p[2]):.4f}")
    p3 = netgrad.tensor([[0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]])
    nll = nn.NLLLoss()(p3.log(), netgrad.tensor([0, 1, 2]))
    print(f"three posts (true C, Java, Python): loss {nll.item():.4f} = -(ln 0.2 + ln 0.8 + ln 0.6)/3 = "
          f"{-(math.log(0.2) + math.log(0.8) + math.log(0.6)) / 3:.4f}; predicted "
          + ", ".join(TAGS[i] for i in p3.argmax(dim=1).tolist()))
    logits = netgrad.tensor([[0.4967, -0.1383, 0.6477], [1.5230, -0.2342, -0.2341], [1.5792, 0.7674, -0.4695]])
    predicted = [TAGS[i] for i in logits.argmax(dim=1).tolist()]
    print(f"posts given by their logits -> {', '.join(predicted)}  (the notes: Python, C, C)")
    assert predicted == ["Python", "C", "C"]

    print("\n-- multi-label: one sigmoid per class + binary cross-entropy --")
    q = z.sigmoid().detach().numpy()[0]
    y = netgrad.tensor([[1.0, 0.0, 1.0]])  # tagged C and Python
    loss = nn.BCEWithLogitsLoss(reduction="sum")(z, y)
    by_hand = -(math.log(q[0]) + math.log(1 - q[1]) + math.log(q[2]))
    print(f"sigmoid p = {np.round(q, 4)} (each its own yes/no); tags {tags(q >= 0.5)}")
    print(f"loss for tags [C, Python]: {loss.item():.4f} = -[ln p_C + ln(1 - p_Java) + ln p_Python] = {by_hand:.4f}")
    probabilities = np.array([[0.85, 0.15, 0.65], [0.25, 0.70, 0.40], [0.30, 0.45, 0.80]])
    print("posts given by their probabilities -> " + ", ".join(tags(r >= 0.5) for r in probabilities)
          + "  (the notes: [C, Python], [Java], [Python])")
    logits = netgrad.tensor([[2.0, -1.0, 0.5], [0.5, 1.5, 0.2], [-0.5, 0.3, 2.2]])
    labels = (logits > 0).numpy()  # p >= 0.5 exactly when z >= 0
    print("posts given by their logits -> " + ", ".join(tags(r) for r in labels)
          + "  (the notes: [C, Python], [C, Java, Python], [Java, Python])")
    assert [tags(r) for r in labels] == ["[C, Python]", "[C, Java, Python]", "[Java, Python]"]

    try:
        from netgrad.viz._backend import CLASS_COLORS, pyplot
        plt = pyplot()
    except ImportError as err:
        print(f"picture skipped: {err}")
        return
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=True)
    for ax, values, title in ((axes[0], p, "softmax: one tag, probabilities sum to 1"),
                              (axes[1], q, "sigmoids: any tags, each p against 0.5")):
        ax.bar(TAGS, values, color=[CLASS_COLORS[i] for i in range(3)])
        for i, v in enumerate(values):
            ax.text(i, v + 0.02, f"{v:.3f}", ha="center")
        ax.set_title(title, fontsize=10)
        ax.set_ylim(0, 1.1)
    axes[1].axhline(0.5, color="#333333", linestyle="--", linewidth=1)
    axes[0].set_ylabel("probability")
    fig.suptitle("the notes' post: x = (1, 2, 0), logits (1.7, -0.1, 0.4)")
    fig.tight_layout()
    os.makedirs(args.out, exist_ok=True)
    path = os.path.join(args.out, "softmax_and_multilabel.png")
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
