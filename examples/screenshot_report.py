"""Open a run's HTML report in headless Chromium and save a screenshot.

Usage::

    sklearn-difficulty demo --out demo-output
    python examples/screenshot_report.py demo-output/cnn/report.html report.png

Needs Debian's chromium (``apt-get install chromium``); prints how many of
the page's images the browser decoded.
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    page, shot = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    chromium = shutil.which("chromium") or sys.exit("chromium is not installed")
    with tempfile.TemporaryDirectory() as profile:
        flags = [*FLAGS, f"--user-data-dir={profile}"]
        dom = subprocess.run(
            [chromium, *flags, "--dump-dom", page.as_uri()],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        subprocess.run(
            [chromium, *flags, "--window-size=1200,2000", f"--screenshot={shot}"]
            + [page.as_uri()],
            capture_output=True,
            check=True,
        )
    shown = re.search(r'data-images-shown="(\d+)"', dom)
    total = re.search(r'data-images-total="(\d+)"', dom)
    print(
        f"{shown.group(1) if shown else '?'} of {total.group(1) if total else '?'} "
        f"images shown; screenshot saved to {shot}"
    )


if __name__ == "__main__":
    main()
