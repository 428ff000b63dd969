"""Generate the pictures the documentation embeds, into docs/images/.

Every picture comes from running netgrad itself: the examples (each run as a process with matplotlib's
Agg backend, its pictures copied here under the names it gives them) and, with ``--demo``, the main job
(``netgrad demo``, a few minutes on Fashion-MNIST), whose pictures are copied with a ``demo_`` prefix.

    .venv/bin/python docs/make_images.py            # the examples' pictures, about a minute
    .venv/bin/python docs/make_images.py --demo     # and the demo's
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
DEMO_PICTURES = ("curves.png", "predictions.png", "network.png", "confusion_matrix.png")


def run(command: list[str], out: Path) -> str:
    """Run ``command --out out`` with the Agg backend; its standard output."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run(command + ["--out", str(out)], cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="also run 'netgrad demo' (a few minutes)")
    parser.add_argument("--only", nargs="*", help="only these examples (file names without .py)")
    args = parser.parse_args(argv)
    IMAGES.mkdir(parents=True, exist_ok=True)
    scripts = sorted((ROOT / "examples").glob("*.py"))
    if args.only:
        scripts = [s for s in scripts if s.stem in args.only]
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        for script in scripts:
            out = Path(tmp) / script.stem
            print(f"running {script.name} ...", flush=True)
            run([sys.executable, str(script)], out)
            for picture in sorted(out.glob("*.png")):
                shutil.copyfile(picture, IMAGES / picture.name)
                written.append(picture.name)
        if args.demo:
            out = Path(tmp) / "demo"
            print("running netgrad demo ...", flush=True)
            report = run([sys.executable, "-m", "netgrad.cli", "demo"], out)
            print(next(line for line in report.splitlines() if line.startswith("test accuracy")))
            for name in DEMO_PICTURES:
                shutil.copyfile(out / name, IMAGES / f"demo_{name}")
                written.append(f"demo_{name}")
    print(f"wrote {len(written)} pictures to {IMAGES.relative_to(ROOT)}: " + ", ".join(written))


if __name__ == "__main__":
    main()
