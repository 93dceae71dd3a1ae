"""Check the shipped resources: starter catalog, icons and the Linux desktop entry."""

from __future__ import annotations

import configparser
import json
import re
import shutil
import struct
import subprocess
import uuid
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
CATALOG_DIR = RESOURCES / "catalog"
ICON_DIR = RESOURCES / "icons"
LINUX_DIR = RESOURCES / "linux"

APP_ID = "org.mantradesktop.MantraDesktop"
DESKTOP_FILE = LINUX_DIR / f"{APP_ID}.desktop"
METAINFO_FILE = LINUX_DIR / f"{APP_ID}.metainfo.xml"
ICON_NAME = "mantra-desktop"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

CATALOG_FILES = sorted(CATALOG_DIR.glob("*.json"))

# Node versions that both n8n 1.121 (the nodes of n8n 1.123) and n8n 2.41 define.
# A mantra may only use these, so that it installs and runs on either major version.
NODE_VERSIONS_ON_BOTH: dict[str, set[float]] = {
    "n8n-nodes-base.code": {1, 2},
    "n8n-nodes-base.errorTrigger": {1},
    "n8n-nodes-base.filter": {1, 2, 2.1, 2.2, 2.3},
    "n8n-nodes-base.gmail": {1, 2, 2.1, 2.2},
    "n8n-nodes-base.gmailTrigger": {1, 1.1, 1.2, 1.3},
    "n8n-nodes-base.googleCalendar": {1, 1.1, 1.2, 1.3},
    "n8n-nodes-base.googleDrive": {1, 2, 3},
    "n8n-nodes-base.googleDriveTrigger": {1},
    "n8n-nodes-base.googleSheets": {4, 4.1, 4.2, 4.3, 4.4, 4.5, 4.6, 4.7},
    "n8n-nodes-base.httpRequest": {4, 4.1, 4.2, 4.3},
    "n8n-nodes-base.if": {2, 2.1, 2.2, 2.3},
    "n8n-nodes-base.manualTrigger": {1},
    "n8n-nodes-base.merge": {3, 3.1, 3.2},
    "n8n-nodes-base.noOp": {1},
    "n8n-nodes-base.respondToWebhook": {1, 1.1, 1.2, 1.3, 1.4, 1.5},
    "n8n-nodes-base.rssFeedRead": {1, 1.1, 1.2},
    "n8n-nodes-base.scheduleTrigger": {1, 1.1, 1.2, 1.3},
    "n8n-nodes-base.set": {3, 3.1, 3.2, 3.3, 3.4},
    "n8n-nodes-base.slack": {2, 2.1, 2.2, 2.3, 2.4},
    "n8n-nodes-base.stickyNote": {1},
    "n8n-nodes-base.telegram": {1, 1.1, 1.2},
    "n8n-nodes-base.webhook": {2, 2.1},
}
TRIGGER_TYPES = {
    "n8n-nodes-base.errorTrigger",
    "n8n-nodes-base.gmailTrigger",
    "n8n-nodes-base.googleDriveTrigger",
    "n8n-nodes-base.manualTrigger",
    "n8n-nodes-base.scheduleTrigger",
    "n8n-nodes-base.webhook",
}
STICKY_NOTE = "n8n-nodes-base.stickyNote"


def load_mantra(path: Path) -> dict[str, Any]:
    """Return one catalog file parsed as JSON."""
    with path.open(encoding="utf-8") as stream:
        mantra: dict[str, Any] = json.load(stream)
    return mantra


def catalog_node_types() -> Counter[str]:
    """Count, over the whole catalog, the mantras that use each node type."""
    counts: Counter[str] = Counter()
    for path in CATALOG_FILES:
        nodes = load_mantra(path)["workflow"]["nodes"]
        counts.update({node["type"] for node in nodes})
    return counts


def png_size(path: Path) -> tuple[int, int]:
    """Return (width, height) from a PNG file's signature and IHDR chunk."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert header[12:16] == b"IHDR", f"{path} does not start with IHDR"
    width, height = struct.unpack(">II", header[16:24])
    return width, height


@pytest.mark.parametrize("path", CATALOG_FILES, ids=lambda path: path.name)
def test_catalog_file_is_a_mantra_with_a_consistent_workflow(path: Path) -> None:
    mantra = load_mantra(path)

    assert set(mantra) == {"name", "description", "workflow"}
    assert mantra["name"].strip() and len(mantra["name"]) <= 80
    assert "**What you need**" in mantra["description"]
    assert "**How to adapt it**" in mantra["description"]

    workflow = mantra["workflow"]
    assert set(workflow) == {"name", "nodes", "connections", "settings"}
    assert workflow["name"] == mantra["name"]
    assert workflow["settings"] == {"executionOrder": "v1"}

    nodes = workflow["nodes"]
    names = [node["name"] for node in nodes]
    assert len(set(names)) == len(names), "node names must be unique"
    ids = [node["id"] for node in nodes]
    assert len(set(ids)) == len(ids), "node ids must be unique"

    for node in nodes:
        label = f"{path.name}: {node['name']}"
        assert {"id", "name", "type", "typeVersion", "position", "parameters"} <= set(
            node
        ), label
        uuid.UUID(node["id"])
        versions = NODE_VERSIONS_ON_BOTH.get(node["type"])
        assert versions is not None, f"{label}: node type {node['type']} not vetted"
        assert node["typeVersion"] in versions, f"{label}: version not on n8n 1 and 2"
        x, y = node["position"]
        assert isinstance(x, int | float) and isinstance(y, int | float), label
        assert isinstance(node["parameters"], dict), label

        for credential_type, reference in node.get("credentials", {}).items():
            assert re.fullmatch(r"[a-zA-Z0-9]+", credential_type), label
            assert reference == {"name": reference["name"]}, label
            assert reference["name"].strip(), label

        if node["type"] == "n8n-nodes-base.webhook":
            uuid.UUID(node["webhookId"])
            assert re.fullmatch(r"[a-z0-9-]+", node["parameters"]["path"]), label

    working = [node for node in nodes if node["type"] != STICKY_NOTE]
    assert sum(node["type"] in TRIGGER_TYPES for node in working) == 1

    # Every connection joins two existing nodes, and every working node is wired in.
    connected = set()
    for source, outputs in workflow["connections"].items():
        assert source in names, f"{path.name}: unknown source {source!r}"
        assert set(outputs) == {"main"}
        for branch in outputs["main"]:
            for target in branch:
                assert target["node"] in names, f"{path.name}: unknown {target!r}"
                assert target["type"] == "main" and target["index"] == 0
                connected.update({source, target["node"]})
    assert {node["name"] for node in working} == connected


def test_catalog_has_enough_unique_mantras_covering_google_and_triggers() -> None:
    assert len(CATALOG_FILES) >= 12

    names = [load_mantra(path)["name"] for path in CATALOG_FILES]
    assert len(set(names)) == len(names), "mantra names must be unique"

    webhook_paths = [
        node["parameters"]["path"]
        for path in CATALOG_FILES
        for node in load_mantra(path)["workflow"]["nodes"]
        if node["type"] == "n8n-nodes-base.webhook"
    ]
    assert len(set(webhook_paths)) == len(webhook_paths), "webhook paths collide"

    used = catalog_node_types()
    for app in ("gmail", "googleSheets", "googleDrive", "googleCalendar"):
        assert used[f"n8n-nodes-base.{app}"] >= 2, f"{app} is used by fewer than 2"
    for trigger in ("scheduleTrigger", "webhook", "manualTrigger", "errorTrigger"):
        assert used[f"n8n-nodes-base.{trigger}"] >= 1, f"no mantra uses {trigger}"
    assert used["n8n-nodes-base.scheduleTrigger"] >= 5
    assert used["n8n-nodes-base.webhook"] >= 3


def test_icon_pngs_exist_at_every_theme_size() -> None:
    for size in ICON_SIZES:
        path = ICON_DIR / "hicolor" / f"{size}x{size}" / "apps" / f"{ICON_NAME}.png"
        assert path.is_file(), f"missing {path.relative_to(RESOURCES)}"
        assert png_size(path) == (size, size)


def test_icon_svg_is_self_contained() -> None:
    svg = (ICON_DIR / f"{ICON_NAME}.svg").read_text(encoding="utf-8")
    root = ET.fromstring(svg)

    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"
    tags = {element.tag.split("}")[-1] for element in root.iter()}
    assert not tags & {"text", "filter", "image", "use", "foreignObject", "style"}
    assert "href" not in svg and "url(http" not in svg


def test_windows_and_macos_icons_hold_png_images() -> None:
    ico = (ICON_DIR / f"{ICON_NAME}.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", ico[:6])
    assert (reserved, kind) == (0, 1)
    sides = set()
    for index in range(count):
        entry = ico[6 + 16 * index : 22 + 16 * index]
        width, _, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", entry)
        assert ico[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(ico)
        sides.add(width or 256)
    assert {16, 32, 48, 256} <= sides

    icns = (ICON_DIR / f"{ICON_NAME}.icns").read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack(">I", icns[4:8])[0] == len(icns)
    element_types = set()
    position = 8
    while position < len(icns):
        element_type = icns[position : position + 4]
        (length,) = struct.unpack(">I", icns[position + 4 : position + 8])
        assert icns[position + 8 : position + 16] == b"\x89PNG\r\n\x1a\n"
        element_types.add(element_type)
        position += length
    assert position == len(icns)
    assert {b"ic07", b"ic08", b"ic09", b"ic10"} <= element_types


def test_desktop_entry_launches_the_app_with_its_icon() -> None:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DESKTOP_FILE, encoding="utf-8")
    entry = parser["Desktop Entry"]

    assert entry["Type"] == "Application"
    assert entry["Name"] == "Mantra Desktop"
    assert entry["GenericName"] and entry["Comment"]
    assert entry["Exec"].split()[0] == "mantra-desktop"
    assert entry["Icon"] == ICON_NAME
    assert entry["Terminal"] == "false"
    assert entry["StartupWMClass"] == "mantra-desktop"
    categories = entry["Categories"].rstrip(";").split(";")
    assert categories[0] in {"Development", "Utility", "Network", "Office"}
    assert "n8n" in entry["Keywords"].split(";")


def test_metainfo_names_the_desktop_entry_and_icon() -> None:
    root = ET.parse(METAINFO_FILE).getroot()

    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == DESKTOP_FILE.name
    assert root.findtext("icon") == ICON_NAME
    assert root.findtext("project_license") == "MIT"
    assert root.findtext("provides/binary") == "mantra-desktop"


@pytest.mark.skipif(
    shutil.which("desktop-file-validate") is None,
    reason="desktop-file-validate is not installed (Debian: desktop-file-utils)",
)
def test_desktop_entry_passes_desktop_file_validate() -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(DESKTOP_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stdout.lower()


@pytest.mark.skipif(
    shutil.which("appstreamcli") is None,
    reason="appstreamcli is not installed (Debian: appstream)",
)
def test_metainfo_passes_appstream_validation() -> None:
    result = subprocess.run(
        ["appstreamcli", "validate", "--no-net", str(METAINFO_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    warnings = [line for line in result.stdout.splitlines() if line.startswith("W:")]
    assert not warnings, "\n".join(warnings)
