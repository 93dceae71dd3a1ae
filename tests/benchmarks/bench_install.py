"""Bulk install of 50 mantras into a real n8n, against a raw httpx floor.

The app's path (``InstallService.install_many``: pending row, prepare, create, tag,
read back, commit) runs on a qasync loop while a 10 ms precise QTimer records how
late it fires, from before the call until it returns: the longest lateness is the
worst stall of the UI thread. The floor sends the same HTTP calls with plain httpx
on the same server and loop, timed the same way: one reading of the tags, then per
mantra create the workflow, create its ``mantra-<id>`` tag (every mantra has its
own, so the app creates one per new mantra), set both tags, read the workflow back.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import keyring
import qasync
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from mantra_desktop import secrets
from mantra_desktop.workflows import prepare_for_install
from tests.integration.install_support import (
    add_mantra,
    make_services,
    webhook_workflow,
)
from tests.peers.n8n import N8N_VERSIONS, start_n8n

COUNT = 50
TICK_MS = 10


async def _floor(url: str, key: str, bodies: list[dict[str, Any]]) -> float:
    headers = {"X-N8N-API-KEY": key}
    async with httpx.AsyncClient(base_url=f"{url}/api/v1", headers=headers) as http:
        started = time.perf_counter()
        tags = (await http.get("/tags", params={"limit": 250})).json()["data"]
        shared = next(t["id"] for t in tags if t["name"] == "mantra")
        created: list[str] = []
        own_tags: list[str] = []
        for index, body in enumerate(bodies):
            made = (await http.post("/workflows", json=body)).json()
            tag = (await http.post("/tags", json={"name": f"floor-{index}"})).json()
            await http.put(
                f"/workflows/{made['id']}/tags",
                json=[{"id": shared}, {"id": tag["id"]}],
            )
            await http.get(f"/workflows/{made['id']}")
            created.append(made["id"])
            own_tags.append(tag["id"])
        elapsed = time.perf_counter() - started
        for workflow_id in created:
            await http.delete(f"/workflows/{workflow_id}")
        for tag_id in own_tags:
            await http.delete(f"/tags/{tag_id}")
    return elapsed


async def _measure(url: str, key: str, folder: Path) -> tuple[float, float, float]:
    services = await make_services(folder)
    try:
        server = await services.servers.add("Bench", url, key)
        mantras = [await add_mantra(services, webhook_workflow()) for _ in range(COUNT)]
        lateness: list[float] = []
        last = [time.perf_counter()]

        def tick() -> None:
            now = time.perf_counter()
            lateness.append(now - last[0] - TICK_MS / 1000)
            last[0] = now

        timer = QTimer()
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.setInterval(TICK_MS)
        timer.timeout.connect(tick)
        timer.start()
        last[0] = time.perf_counter()
        started = time.perf_counter()
        outcomes = await services.installs.install_many(
            [m.id for m in mantras], server.id
        )
        app_seconds = time.perf_counter() - started
        timer.stop()
        assert all(o.error is None for o in outcomes), outcomes
        bodies = [
            prepare_for_install(
                m.workflow_json,
                install_id=f"floor-{i}",
                mantra_name=m.name,
                mantra_version=1,
                credential_bindings={},
            )
            for i, m in enumerate(mantras)
        ]
        floor_seconds = await _floor(url, key, bodies)
        for outcome in outcomes:
            await services.installs.uninstall(outcome.installation_id or "")
        return app_seconds, floor_seconds, max(lateness) * 1000
    finally:
        await services.database.dispose()


def run(report: Any) -> None:
    app = QApplication.instance() or QApplication([])
    keyring.set_keyring(secrets.MemoryKeyring())
    peer = start_n8n(N8N_VERSIONS[0])
    try:
        loop = qasync.QEventLoop(app)
        asyncio.set_event_loop(loop)
        with tempfile.TemporaryDirectory() as folder, loop:
            app_s, floor_s, stall_ms = loop.run_until_complete(
                _measure(peer.url, peer.api_key, Path(folder))
            )
    finally:
        peer.stop()
    report(
        f"bulk install of {COUNT} mantras (n8n {peer.version})",
        COUNT / app_s,
        "/s",
        COUNT / floor_s,
        "goal >= 0.8x the raw httpx floor",
    )
    report("longest UI-thread stall during it", stall_ms, "ms", None, "goal < 50 ms")
