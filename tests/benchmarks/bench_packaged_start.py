"""Cold start of the installed package against the same start from source.

Both runs start the app with ``--smoke`` offscreen, with empty user folders
each time (so every run also creates and migrates a fresh database), and time
from just before the process is spawned to the ``first-paint`` line the app
prints when ``MANTRA_DESKTOP_REPORT_FIRST_PAINT`` is set. The floor is the
start from source (``python -m mantra_desktop``); the figure is the installed
``/usr/bin/mantra-desktop`` from the Debian package (``packaging/build-deb.sh``,
then ``apt-get install ./dist/mantra-desktop_<version>_<arch>.deb``).

Skipped, with a line saying so, when the package is not installed.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

INSTALLED_LAUNCHER = Path("/usr/bin/mantra-desktop")
RUNS = 7
REPOSITORY = Path(__file__).resolve().parents[2]

Report = Callable[[str, float, str, "float | None", str], None]


def _start_once(command: Sequence[str]) -> tuple[float, float]:
    """Run the app once with fresh user folders; return (to first paint, whole run).

    Raises RuntimeError with the app's output when it fails or never paints.
    """
    with tempfile.TemporaryDirectory(prefix="mantra-start-") as folder:
        root = Path(folder)
        environ = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "LANG": "C.UTF-8",
            "HOME": str(root / "home"),
            "XDG_DATA_HOME": str(root / "data"),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_STATE_HOME": str(root / "state"),
            "XDG_CACHE_HOME": str(root / "cache"),
            "QT_QPA_PLATFORM": "offscreen",
            "MANTRA_DESKTOP_REPORT_FIRST_PAINT": "1",
        }
        (root / "home").mkdir()
        started = time.time()
        result = subprocess.run(
            [*command, "--smoke"],
            env=environ,
            cwd=REPOSITORY,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        finished = time.time()
    painted = [
        float(line.split()[1])
        for line in result.stdout.splitlines()
        if line.startswith("first-paint ")
    ]
    if result.returncode != 0 or not painted:
        raise RuntimeError(
            f"{' '.join(command)} --smoke exited with {result.returncode}:\n"
            f"{result.stdout}{result.stderr}"
        )
    return painted[0] - started, finished - started


def _median_start(command: Sequence[str]) -> tuple[float, float]:
    _start_once(command)  # warm the page cache: "cold" means a fresh profile
    runs = [_start_once(command) for _ in range(RUNS)]
    return (
        statistics.median(paint for paint, _ in runs),
        statistics.median(whole for _, whole in runs),
    )


def run(report: Report) -> None:
    if not INSTALLED_LAUNCHER.exists():
        sys.stdout.write(
            f"  skipped: {INSTALLED_LAUNCHER} is missing; build and install the "
            "package first (packaging/build-deb.sh, then apt-get install "
            "./dist/mantra-desktop_<version>_<arch>.deb)\n"
        )
        return
    source = [sys.executable, "-m", "mantra_desktop"]
    source_paint, source_whole = _median_start(source)
    installed_paint, installed_whole = _median_start([str(INSTALLED_LAUNCHER)])
    report(
        f"installed start to first paint (median of {RUNS})",
        installed_paint * 1000,
        "ms",
        source_paint * 1000,
        "floor: the same start from source; goal: no slower",
    )
    report(
        f"installed --smoke run, whole process (median of {RUNS})",
        installed_whole * 1000,
        "ms",
        source_whole * 1000,
        "floor: the same run from source",
    )
