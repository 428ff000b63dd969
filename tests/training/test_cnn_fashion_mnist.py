"""The convolutional network of examples/cnn_fashion_mnist.py trained on the whole of Fashion-MNIST (8 epochs,
PyTorch style, through the Trainer) reaches at least 91 % test accuracy. Long (tens of minutes on 2 cores), so
`make test` leaves it out: run it with `pytest -m long`. Skipped without the Debian package dataset-fashion-mnist."""
import runpy
from pathlib import Path

import pytest

import netgrad
from netgrad.data import fashion_mnist_available

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cnn_fashion_mnist.py"


@pytest.mark.long
@pytest.mark.skipif(not fashion_mnist_available(), reason="needs the Debian package dataset-fashion-mnist")
def test_cnn_reaches_91_percent_on_fashion_mnist():
    example = runpy.run_path(str(EXAMPLE), run_name="cnn_example")  # its functions, without running main
    X_train, y_train, X_test, y_test = example["load"](60_000, seed=0)
    netgrad.manual_seed(0)
    _, accuracy = example["pytorch_style"](X_train, y_train, X_test, y_test, epochs=8, batch_size=128)
    print(f"test accuracy {accuracy:.4f}")  # shown with pytest -s
    assert accuracy >= 0.91, f"test accuracy {accuracy:.4f}"
