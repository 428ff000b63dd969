"""Take the screenshots of docs/playground.md with Playwright and Debian's Chromium.

    python docs/make_screenshots.py [docs/images]

Starts the playground on a free 127.0.0.1 port, opens configurations by URL, trains each for a while and
saves ``playground-*.png`` in the given folder.
"""
from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import numpy as np
import uvicorn
from playwright.sync_api import sync_playwright

from netgrad.playground.server import create_app

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "playground"))
from conftest import CHROMIUM, CHROMIUM_ARGS, free_port

SHOTS = [
    # (file, URL fragment, epochs to train, what to do before the picture)
    ("playground-circle.png", "#dataset=circle&hidden=4,2&learning_rate=0.03", 300, None),
    ("playground-spiral.png", "#dataset=spiral&features=x1,x2,x1%5E2,x2%5E2,x1*x2,sin(x1),sin(x2)&hidden=8,8,6"
                              "&activation=tanh&optimizer=adam&learning_rate=0.01&noise=5&show_test=1", 400, None),
    ("playground-regression.png", "#dataset=reg-gauss&problem=regression&hidden=8,8&activation=relu"
                                  "&optimizer=adam&learning_rate=0.01&batch_size=20", 200, None),
    ("playground-upload.png", "#hidden=6,4&activation=relu&optimizer=adam&learning_rate=0.03", 150, "upload"),
    ("playground-neuron.png", "#dataset=xor&hidden=4&activation=tanh&learning_rate=0.1", 200, "hover"),
    ("playground-vanishing.png", "#dataset=spiral&hidden=8,8,8,8,8,8&activation=sigmoid&learning_rate=0.1",
     40, None),
]


def three_classes_csv() -> bytes:
    rng = np.random.default_rng(0)
    lines = ["petal_x,petal_y,species"]
    for (cx, cy), name in zip(((-3, -2), (3, -2), (0, 3)), ("setosa", "versicolor", "virginica")):
        lines += [f"{x:.3f},{y:.3f},{name}" for x, y in rng.normal((cx, cy), 1.1, (80, 2))]
    return ("\n".join(lines) + "\n").encode()


def main(folder: str = "docs/images") -> None:
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 860}, device_scale_factor=1)
            for name, fragment, epochs, action in SHOTS:
                page.goto("about:blank")  # a fresh page each time, not a hash change of the same one
                page.goto(f"http://127.0.0.1:{port}/{fragment}")
                page.wait_for_selector("body[data-ready='1']")
                if action == "upload":
                    page.get_by_test_id("upload").set_input_files(
                        {"name": "species.csv", "mimeType": "text/csv", "buffer": three_classes_csv()})
                    page.wait_for_function("() => location.hash.includes('dataset=upload')")
                page.get_by_test_id("play").click()
                page.wait_for_function(
                    f"() => Number(document.querySelector('[data-testid=epoch]').textContent) >= {epochs}",
                    timeout=120_000)
                page.get_by_test_id("pause").click()
                page.wait_for_timeout(300)
                if action == "hover":
                    page.locator("#network .hidden-layer .node").nth(1).hover()
                    page.wait_for_timeout(300)
                page.screenshot(path=str(out / name))
                print("wrote", out / name, "at epoch", page.get_by_test_id("epoch").inner_text())
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main(*sys.argv[1:])
