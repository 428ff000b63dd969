"""End-to-end: the playground page in a real browser (Debian's Chromium driven by Playwright) against a
server on 127.0.0.1. Skipped, with the reason, when Playwright or Chromium is missing."""
from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")

TRAINING_TIMEOUT_MS = 60_000


def number(page, test_id: str) -> float:
    return float(page.get_by_test_id(test_id).inner_text())


def wait_for_number(page, test_id: str, comparison: str, timeout: int = 20_000) -> None:
    """Wait until the element's plain number satisfies ``comparison`` (JavaScript, on ``x``)."""
    page.wait_for_function(
        f"() => {{ const x = parseFloat(document.querySelector('[data-testid=\"{test_id}\"]').textContent);"
        f" return Number.isFinite(x) && ({comparison}); }}", timeout=timeout)


@pytest.fixture()
def page(browser, live_server):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(20_000)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.open = lambda fragment="": (tab.goto(f"{live_server}/{fragment}"),
                                    tab.wait_for_selector("body[data-ready='1']"))
    yield tab
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_page_loads_with_every_control(page):
    page.open()
    for test_id in ["play", "pause", "step", "reset", "epoch", "train-loss", "test-loss", "dataset", "add-layer",
                    "remove-layer", "activation", "learning-rate", "heatmap"]:
        assert page.get_by_test_id(test_id).is_visible(), test_id
    assert page.get_by_test_id("epoch").inner_text() == "0"
    for test_id in ("train-loss", "test-loss"):  # plain numbers
        assert re.fullmatch(r"\d+\.\d+", page.get_by_test_id(test_id).inner_text())
    assert 0 < number(page, "train-loss") < 2 and 0 < number(page, "test-loss") < 2
    assert page.get_by_test_id("dataset").evaluate("e => e.tagName") == "SELECT"
    assert page.get_by_test_id("dataset").input_value() == "circle"
    assert "dataset=circle" in page.url and "hidden=4%2C2" in page.url


def test_play_advances_the_epoch_counter(page):
    page.open()
    page.get_by_test_id("play").click()
    wait_for_number(page, "epoch", "x >= 5")
    page.get_by_test_id("pause").click()
    page.wait_for_function("() => !document.getElementById('play').classList.contains('active')")
    paused_at = int(number(page, "epoch"))  # the paused state has arrived: nothing trains any more
    for extra in (1, 2):  # each step adds exactly one epoch
        page.get_by_test_id("step").click()
        wait_for_number(page, "epoch", f"x === {paused_at + extra}")


def test_training_loss_on_the_circle_falls_below_a_tenth(page):
    page.open()
    # the circle is a disk in a ring: x1^2 and x2^2 make it linearly separable
    # clicked as quickly as a person may: each click builds on the ones before, not on a stale state
    for feature in ("x1^2", "x2^2", "x1", "x2"):
        page.locator(f"#network .feature-node[data-feature='{feature}']").click()
    page.get_by_test_id("remove-layer").click()
    page.get_by_test_id("remove-layer").click()
    page.get_by_test_id("learning-rate").select_option("0.1")
    page.wait_for_function("() => location.hash.includes('learning_rate=0.1&') && location.hash.includes('hidden=&')"
                           " && location.hash.includes('features=x1%5E2%2Cx2%5E2&')")
    page.get_by_test_id("play").click()
    wait_for_number(page, "train-loss", "x < 0.1", timeout=TRAINING_TIMEOUT_MS)
    page.get_by_test_id("pause").click()
    assert re.fullmatch(r"[1-9]\d*", page.get_by_test_id("epoch").inner_text())
    assert re.fullmatch(r"0\.\d+", page.get_by_test_id("train-loss").inner_text())


def test_changing_the_dataset_resets_training(page):
    page.open()
    page.get_by_test_id("step").click()
    page.get_by_test_id("step").click()
    wait_for_number(page, "epoch", "x === 2")
    page.get_by_test_id("dataset").select_option("xor")
    page.wait_for_function("() => location.hash.includes('dataset=xor')")
    wait_for_number(page, "epoch", "x === 0")
    page.get_by_test_id("dataset").select_option("reg-plane")
    page.wait_for_function("() => location.hash.includes('problem=regression')")
    assert page.get_by_test_id("problem").input_value() == "regression"


def test_the_url_restores_the_configuration(page, browser, live_server):
    page.open()
    page.get_by_test_id("activation").select_option("relu")
    for _ in range(3):
        page.get_by_test_id("add-layer").click()
    page.get_by_test_id("remove-layer").click()
    page.get_by_test_id("remove-layer").click()
    page.get_by_test_id("learning-rate").select_option("0.3")
    page.get_by_test_id("optimizer").select_option("adam")
    page.wait_for_function("() => ['hidden=4%2C2%2C2&', 'optimizer=adam', 'learning_rate=0.3&', 'activation=relu']"
                           ".every((part) => location.hash.includes(part))")
    url = page.url
    other = browser.new_page()
    try:
        other.goto(url)
        other.wait_for_selector("body[data-ready='1']")
        other.wait_for_function("() => document.getElementById('layer-count').textContent === '3'")
        assert other.get_by_test_id("activation").input_value() == "relu"
        assert other.get_by_test_id("learning-rate").input_value() == "0.3"
        assert other.get_by_test_id("optimizer").input_value() == "adam"
        assert other.locator("#network .hidden-layer").count() == 3
    finally:
        other.close()


def blobs_csv() -> bytes:
    rng = np.random.default_rng(0)
    lines = ["x1,x2,kind"]
    for (cx, cy), name in zip(((-3, -2), (3, -2), (0, 3)), ("ant", "bee", "cat")):
        lines += [f"{x:.3f},{y:.3f},{name}" for x, y in rng.normal((cx, cy), 0.8, (40, 2))]
    return ("\n".join(lines) + "\n").encode()


def test_an_uploaded_csv_trains_and_survives_a_reload(page):
    page.open()
    page.get_by_test_id("upload").set_input_files({"name": "blobs.csv", "mimeType": "text/csv",
                                                   "buffer": blobs_csv()})
    page.wait_for_function("() => location.hash.includes('dataset=upload') && location.hash.includes('upload=')")
    assert page.get_by_test_id("dataset").input_value() == "upload"
    assert re.search(r"ant.*bee.*cat", page.locator("#legend").inner_text(), re.S)
    first_loss = number(page, "train-loss")
    page.get_by_test_id("learning-rate").select_option("0.1")
    page.get_by_test_id("play").click()
    wait_for_number(page, "train-loss", f"x < {first_loss / 3}", timeout=TRAINING_TIMEOUT_MS)
    page.get_by_test_id("pause").click()
    page.reload()  # the CSV is kept in the browser, the URL names it
    page.wait_for_selector("body[data-ready='1']")
    page.wait_for_function("() => document.querySelector('[data-testid=dataset]').value === 'upload'")
    assert page.locator("#network .output-layer .node").count() == 3  # one output per class


def test_export_gives_a_script_that_runs_and_a_model_file(page, tmp_path):
    page.open("#hidden=3&seed=4")
    page.get_by_test_id("step").click()
    wait_for_number(page, "epoch", "x === 1")
    with page.expect_download() as download:
        page.get_by_test_id("download-script").click()
    script = tmp_path / download.value.suggested_filename
    download.value.save_as(script)
    assert script.name == "playground_nn.py"
    result = subprocess.run([sys.executable, str(script), "--epochs", "2"], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"epoch 2: training loss [0-9.]+, test loss [0-9.]+", result.stdout)
    with page.expect_download() as download:
        page.get_by_test_id("download-model").click()
    model = tmp_path / "playground.netgrad"
    download.value.save_as(model)
    import netgrad.io

    saved = netgrad.io.load(model)
    assert saved["playground"]["config"]["hidden"] == [3] and saved["playground"]["epoch"] == 1
