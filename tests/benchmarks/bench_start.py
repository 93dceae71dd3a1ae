"""Cold start to first paint: the app against a bare PySide6 window.

Both are started as new processes, alternately, several times; each prints
the wall-clock time of its first paint, and the figure is that minus the
moment the process was spawned. The app runs with ``--smoke`` on a fresh set
of user folders each time, so it also creates and migrates a new database
(after its first paint, as in real use). Goal: at most 1.5x the floor.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

RUNS = 7

BARE_WINDOW = """
import sys, time
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow

class Watch(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            sys.stdout.write(f"first-paint {time.time():.6f}\\n")
            sys.stdout.flush()
            QTimer.singleShot(0, app.quit)
        return False

app = QApplication(sys.argv)
window = QMainWindow()
window.resize(1180, 760)
watch = Watch()
window.installEventFilter(watch)
window.show()
app.exec()
"""


def _first_paint_seconds(command: list[str], home: Path) -> float:
    environment = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "MANTRA_DESKTOP_REPORT_FIRST_PAINT": "1",
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
    }
    environment.pop("DATABASE_URL", None)
    spawned = time.time()
    result = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=120
    )
    for line in result.stdout.splitlines():
        if line.startswith("first-paint "):
            return float(line.split()[1]) - spawned
    raise RuntimeError(f"no first paint reported: {result.stderr[-500:]}")


def run(report: Callable[..., None]) -> None:
    app = [sys.executable, "-m", "mantra_desktop", "--smoke"]
    bare = [sys.executable, "-c", BARE_WINDOW]
    app_times: list[float] = []
    bare_times: list[float] = []
    with tempfile.TemporaryDirectory(prefix="mantra-bench-start-") as folder:
        # one unmeasured run of each warms the OS file cache, as a second
        # launch by a user would
        _first_paint_seconds(bare, Path(folder) / "warm-bare")
        _first_paint_seconds(app, Path(folder) / "warm-app")
        for index in range(RUNS):
            bare_times.append(_first_paint_seconds(bare, Path(folder) / f"b{index}"))
            app_times.append(_first_paint_seconds(app, Path(folder) / f"a{index}"))
    report(
        "cold start to first paint (median)",
        statistics.median(app_times) * 1000,
        "ms",
        statistics.median(bare_times) * 1000,
        "<= 1.5x a bare PySide6 window",
    )
    report(
        "cold start to first paint (slowest)",
        max(app_times) * 1000,
        "ms",
        max(bare_times) * 1000,
        "(spread)",
    )
