"""Catalog figures: type-to-filter on 100,000 mantras, memory, corpus import.

- type-to-filter: what the list asks per keystroke (the first page of results
  and the count) for realistic searches typed one character at a time, against
  a raw sqlite3 FTS5 query on the same file returning the same first page;
- memory: the resident size of the real window (catalog page, one search)
  on that file, against a bare PySide6 window process;
- import: the real workflows read and stored through the service, against
  only parsing their JSON.

The 100,000-mantra file is built once per run in a temporary folder from
names, descriptions and apps found in the workflow corpus.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from mantra_desktop.db.engine import Database, create_engine
from mantra_desktop.db.migrate import migrate
from mantra_desktop.repositories.mantras import (
    RANKED_MATCHES,
    MantraFields,
    MantraQuery,
    MantraRepository,
)
from mantra_desktop.services.catalog import CatalogService, fields_for
from mantra_desktop.workflows import parse_document

Report = Callable[[str, float, str, float | None, str], None]

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_CORPUS = ROOT / "tests" / "data" / "corpus"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus" / "n8n-workflows"
MANTRA_COUNT = 100_000
BATCH = 2_000
PAGE = 100
SEARCHES = ("gmail", "slack alert", "google sheets", "telegram bot", "invoice")
VERBS = ("Send", "Sync", "Collect", "Notify", "Back up", "Summarise", "Post", "Watch")
NOUNS = ("invoices", "leads", "tickets", "orders", "reports", "alerts", "files")


def corpus_dir() -> Path:
    configured = os.environ.get("MANTRA_CORPUS_DIR")
    if configured:
        return Path(configured)
    return SHARED_CORPUS if SHARED_CORPUS.is_dir() else SAMPLE_CORPUS


def corpus_fields() -> list[MantraFields]:
    found = []
    for path in sorted(corpus_dir().rglob("*.json")) + sorted(
        (ROOT / "resources" / "catalog").glob("*.json")
    ):
        for document in parse_document(path.read_bytes(), source=path.name).accepted:
            found.append(fields_for(document))
    return found


def varied(seed: list[MantraFields], count: int) -> list[MantraFields]:
    """``count`` distinct mantras mixing the corpus's names, words and apps."""
    chooser = random.Random(7)
    words = [w for f in seed for w in f.name.split() if w.isalpha() and len(w) > 3]
    made = []
    for number in range(count):
        base = seed[number % len(seed)]
        apps = sorted(
            set(base.apps) | set(chooser.choice(seed).apps[:1]), key=str.lower
        )
        name = (
            f"{chooser.choice(VERBS)} {chooser.choice(NOUNS)} "
            f"{' '.join(chooser.sample(words, 2))} {number}"
        )
        description = (
            f"{base.description[:200]} Uses {', '.join(apps) or 'core nodes'}; "
            f"{' '.join(chooser.sample(words, 6))}."
        )
        small = {"nodes": base.workflow_json.get("nodes", [])[:3], "connections": {}}
        made.append(
            MantraFields(
                name=name,
                description=description,
                workflow_json=small,
                content_hash=f"{number:064x}",
                apps=apps,
                trigger_kind=base.trigger_kind,
                credential_types=base.credential_types,
                node_count=base.node_count,
            )
        )
    return made


async def fill(path: Path) -> None:
    database = Database(create_engine(f"sqlite+aiosqlite:///{path}"))
    await migrate(database)
    repository = MantraRepository(database)
    rows = varied(corpus_fields(), MANTRA_COUNT)
    for start in range(0, len(rows), BATCH):
        await repository.create_many(rows[start : start + BATCH], origin="imported")
    await database.dispose()


def keystrokes() -> list[str]:
    return [search[:end] for search in SEARCHES for end in range(1, len(search) + 1)]


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[18]


async def ui_search_times(path: Path) -> list[float]:
    database = Database(create_engine(f"sqlite+aiosqlite:///{path}"))
    catalog = CatalogService(MantraRepository(database))
    await catalog.first_page(MantraQuery(), limit=PAGE)  # warm the connection
    times = []
    for prefix in keystrokes():
        started = time.perf_counter()
        await catalog.first_page(MantraQuery(words=prefix), limit=PAGE)
        times.append((time.perf_counter() - started) * 1000)
    await database.dispose()
    return times


def floor_search_times(path: Path) -> list[float]:
    """The same first pages and counts from plain sqlite3 FTS5 queries.

    It follows the app's plan: rank the matches when there are at most
    RANKED_MATCHES of them, otherwise newest first; count the matches.
    """
    connection = sqlite3.connect(path)
    times = []
    columns = (
        "m.id, m.name, substr(m.description, 1, 240), m.version, m.origin, m.apps, "
        "m.apps_label, m.trigger_kind, m.credential_types, m.node_count, "
        "m.is_active, m.updated_at"
    )
    for prefix in keystrokes():
        tokens = [t for t in prefix.lower().split() if t]
        match = " ".join(f'"{token}"*' for token in tokens)
        started = time.perf_counter()
        (hits,) = connection.execute(
            "SELECT count(*) FROM mantra_search WHERE mantra_search MATCH ?", (match,)
        ).fetchone()
        order = "s.rank" if hits <= RANKED_MATCHES else "s.rowid DESC"
        connection.execute(
            f"SELECT {columns} FROM mantra_search s "
            "JOIN mantras m ON m.rowid = s.rowid "
            f"WHERE mantra_search MATCH ? AND m.is_active ORDER BY {order} LIMIT ?",
            (match, PAGE),
        ).fetchall()
        times.append((time.perf_counter() - started) * 1000)
    connection.close()
    return times


APP_PROCESS = """
import asyncio, os, sys, tempfile
os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["QT_API"] = "pyside6"
home = tempfile.mkdtemp()
for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
    os.environ[name] = os.path.join(home, name.lower())
import qasync
from PySide6.QtWidgets import QApplication
from mantra_desktop.config import app_paths
from mantra_desktop.services.context import build_services, open_database, user_service
from mantra_desktop.ui.main_window import MainWindow
from mantra_desktop.ui.session import attach_services

app = QApplication(sys.argv[:1])
loop = qasync.QEventLoop(app)
asyncio.set_event_loop(loop)

async def main():
    window = MainWindow()
    window.show()
    paths = app_paths()
    database, _ = await open_database("sqlite+aiosqlite:///" + sys.argv[1], paths)
    user = await user_service(database, paths).ensure_local_user()
    await attach_services(window, build_services(database, paths, user))
    page = window.catalog_page
    while page.model.total == 0:
        await asyncio.sleep(0.05)
    page.search_field.setText("google sheets")
    page.search_now()
    while page.model.is_searching or page.model.query.words != "google sheets":
        await asyncio.sleep(0.05)
    page.table.selectRow(0)
    await asyncio.sleep(0.5)
    print(rss())
    await database.dispose()

def rss():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

with loop:
    loop.run_until_complete(main())
"""

BARE_PROCESS = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1180, 760)
window.show()
app.processEvents()
for line in open("/proc/self/status"):
    if line.startswith("VmRSS:"):
        print(int(line.split()[1]) / 1024)
"""


def process_rss(script: str, *args: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    return float(result.stdout.strip().splitlines()[-1])


async def import_seconds(folder: Path, path: Path) -> tuple[float, int]:
    database = Database(create_engine(f"sqlite+aiosqlite:///{path}"))
    await migrate(database)
    catalog = CatalogService(MantraRepository(database))
    started = time.perf_counter()
    summary = await catalog.import_paths([folder])
    elapsed = time.perf_counter() - started
    await database.dispose()
    return elapsed, summary.files_read


def parse_seconds(folder: Path) -> float:
    started = time.perf_counter()
    for path in sorted(folder.rglob("*.json")):
        with contextlib.suppress(ValueError):
            json.loads(path.read_bytes())
    return time.perf_counter() - started


def run(report: Report) -> None:
    with tempfile.TemporaryDirectory(prefix="catalog-bench-") as scratch:
        big = Path(scratch) / "catalog.db"
        started = time.perf_counter()
        asyncio.run(fill(big))
        sys.stdout.write(
            f"  (filled {MANTRA_COUNT:,} mantras in "
            f"{time.perf_counter() - started:.0f} s)\n"
        )

        ui = asyncio.run(ui_search_times(big))
        floor = floor_search_times(big)
        report(
            "type-to-filter p95 (first page + count)",
            p95(ui),
            "ms",
            p95(floor),
            "<= 30 ms and <= 2x floor",
        )

        bare = process_rss(BARE_PROCESS)
        app = process_rss(APP_PROCESS, str(big))
        report("window RSS (catalog page, one search)", app, "MB", bare, "<= 250 MB")

        folder = corpus_dir()
        seconds, files = asyncio.run(import_seconds(folder, Path(scratch) / "i.db"))
        report(
            f"import {files} corpus files",
            seconds,
            "s",
            parse_seconds(folder),
            "<= 3 s",
        )
