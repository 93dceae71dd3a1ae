"""The longest stall of the UI thread while a Google account is linked.

A 5 ms QTimer records how late each of its ticks fires while a whole link runs on
the qasync loop (listener, browser sign-in on the local OpenID provider, code
exchange, identity, keychain and database writes). The floor is the same timer's
worst lateness while the loop is idle for as long. Goal: under 50 ms.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

TICK_MS = 5


def run(report: Any) -> None:
    import keyring
    import qasync

    from mantra_desktop import secrets
    from mantra_desktop.db.engine import Database, create_engine
    from mantra_desktop.db.migrate import migrate
    from mantra_desktop.repositories.google_auth import GoogleAuthRepository
    from mantra_desktop.repositories.users import UserRepository
    from mantra_desktop.services.accounts import AccountService
    from tests.peers.browser import HeadlessBrowser
    from tests.peers.oidc import start_oidc

    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    keyring.set_keyring(secrets.MemoryKeyring())
    provider = start_oidc()
    folder = Path(tempfile.mkdtemp(prefix="bench-link-"))

    async def measure(work: Any) -> tuple[float, float]:
        """Run ``work`` (or sleep) while the timer runs; return worst lateness, time."""
        lateness: list[float] = []
        last = time.perf_counter()

        def tick() -> None:
            nonlocal last
            now = time.perf_counter()
            lateness.append(max(0.0, (now - last) * 1000 - TICK_MS))
            last = now

        timer = QTimer()
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        timer.start()
        started = time.perf_counter()
        await work
        elapsed = time.perf_counter() - started
        timer.stop()
        return max(lateness, default=0.0), elapsed

    async def scenario() -> tuple[float, float, float]:
        database = Database(create_engine(f"sqlite+aiosqlite:///{folder / 'b.db'}"))
        await migrate(database)
        user = await UserRepository(database).create(email="b@x.test", name="B")
        service = AccountService(
            GoogleAuthRepository(database),
            user,
            folder,
            opener=HeadlessBrowser(login="bench").open,
        )
        await service.import_client_file(json.dumps(provider.client_file()))
        stall, elapsed = await measure(service.new_link().run())
        floor, _ = await measure(asyncio.sleep(elapsed))
        await database.dispose()
        return stall, floor, elapsed

    try:
        with loop:
            stall, floor, elapsed = loop.run_until_complete(scenario())
    finally:
        provider.stop()
    report(
        f"link: longest UI stall ({elapsed * 1000:.0f} ms link)",
        stall,
        "ms",
        floor,
        "< 50 ms",
    )
